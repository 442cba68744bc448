/**
 * The audiogen/player block in the editor: a placeholder (the player itself is printed on
 * the page, once the narration is done). Plain script, no build step.
 */
( function ( blocks, element, i18n, blockEditor ) {
	'use strict';
	var el = element.createElement;
	var __ = i18n.__;
	blocks.registerBlockType( 'audiogen/player', {
		edit: function () {
			var props = blockEditor.useBlockProps( { className: 'audiogen-block-placeholder' } );
			return el(
				'div',
				props,
				el( 'p', null, __( 'The narration’s player appears here on the page once the post has been narrated.', 'audiogen' ) )
			);
		},
		save: function () {
			return null;
		},
	} );
} )( window.wp.blocks, window.wp.element, window.wp.i18n, window.wp.blockEditor );
