<?php
/**
 * The block's editor script: what it needs from WordPress, and its version.
 *
 * @package audiogen
 */

return array(
	'dependencies' => array( 'wp-blocks', 'wp-element', 'wp-i18n', 'wp-block-editor' ),
	'version'      => '0.1.0',
);
