/**
 * The audiogen panel on a post's edit screen (block and classic editors alike): "Narrate
 * again" asks the service through the site, and the panel says what happened. Plain
 * script, no build step.
 */
( function () {
	'use strict';
	var config = window.audiogenEditor;
	document.addEventListener( 'click', function ( event ) {
		var button = event.target.closest ? event.target.closest( '#audiogen-narrate-again' ) : null;
		if ( ! button || ! config ) {
			return;
		}
		event.preventDefault();
		var result = document.getElementById( 'audiogen-panel-result' );
		button.disabled = true;
		result.textContent = config.working;
		var body = new URLSearchParams();
		body.set( 'action', 'audiogen_narrate_again' );
		body.set( 'nonce', config.nonce );
		body.set( 'post', button.getAttribute( 'data-post' ) );
		fetch( config.ajaxUrl, { method: 'POST', credentials: 'same-origin', body: body } )
			.then( function ( response ) {
				return response.json();
			} )
			.then( function ( answer ) {
				result.textContent = answer && answer.data && answer.data.message ? answer.data.message : String( answer );
			} )
			.catch( function ( error ) {
				result.textContent = String( error );
			} )
			.finally( function () {
				button.disabled = false;
			} );
	} );
} )();
