<?php
/**
 * Removing the plugin removes what it stored: its settings, its post meta and its
 * scheduled calls. The episodes stay on the service (take them down there).
 *
 * @package audiogen
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

delete_option( 'audiogen_settings' );
delete_post_meta_by_key( '_audiogen_state' );
foreach ( array( 'audiogen_send', 'audiogen_poll' ) as $audiogen_hook ) {
	wp_unschedule_hook( $audiogen_hook );
}
