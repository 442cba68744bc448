<?php
/**
 * Plugin Name:       audiogen
 * Description:       Narrates each published post with your own audiogen service and puts its player on the page.
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      8.1
 * Author:            The audiogen authors
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       audiogen
 *
 * @package audiogen
 */

defined( 'ABSPATH' ) || exit;

define( 'AUDIOGEN_VERSION', '0.1.0' );
define( 'AUDIOGEN_FILE', __FILE__ );
define( 'AUDIOGEN_DIR', plugin_dir_path( __FILE__ ) );

require_once AUDIOGEN_DIR . 'includes/class-audiogen-settings.php';
require_once AUDIOGEN_DIR . 'includes/class-audiogen-client.php';
require_once AUDIOGEN_DIR . 'includes/class-audiogen-sync.php';
require_once AUDIOGEN_DIR . 'includes/class-audiogen-player.php';
require_once AUDIOGEN_DIR . 'includes/class-audiogen-editor.php';

Audiogen_Settings::init();
Audiogen_Sync::init();
Audiogen_Player::init();
Audiogen_Editor::init();

register_deactivation_hook( __FILE__, array( 'Audiogen_Sync', 'unschedule_all' ) );
