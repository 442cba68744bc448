<?php
/**
 * The settings page: where the service is, its API key and webhook secret, the voice,
 * where the player goes and what is narrated; and the "test connection" button.
 *
 * @package audiogen
 */

defined( 'ABSPATH' ) || exit;

/**
 * The plugin's settings, stored as one option.
 */
final class Audiogen_Settings {

	const OPTION = 'audiogen_settings';
	const PAGE   = 'audiogen';
	const NONCE  = 'audiogen_test_connection';

	/**
	 * Hooks the page, the setting and the AJAX check.
	 */
	public static function init(): void {
		add_action( 'admin_menu', array( __CLASS__, 'menu' ) );
		add_action( 'init', array( __CLASS__, 'register' ) );
		add_action( 'admin_enqueue_scripts', array( __CLASS__, 'assets' ) );
		add_action( 'wp_ajax_audiogen_test_connection', array( __CLASS__, 'test_connection' ) );
		add_filter( 'plugin_action_links_' . plugin_basename( AUDIOGEN_FILE ), array( __CLASS__, 'action_links' ) );
	}

	/**
	 * What a new site starts with: posts narrated, the player before the content.
	 *
	 * @return array<string, mixed>
	 */
	public static function defaults(): array {
		return array(
			'service_url'    => '',
			'api_key'        => '',
			'webhook_secret' => '',
			'voice'          => '',
			'placement'      => 'before',
			'post_types'     => array( 'post' ),
			'categories'     => array(),
		);
	}

	/**
	 * The settings as saved, with the defaults for what was never saved.
	 *
	 * @return array<string, mixed>
	 */
	public static function get(): array {
		$saved = get_option( self::OPTION, array() );
		return array_merge( self::defaults(), is_array( $saved ) ? $saved : array() );
	}

	/**
	 * Registers the option with its sanitizer (also run when code updates the option).
	 */
	public static function register(): void {
		register_setting(
			self::PAGE,
			self::OPTION,
			array(
				'type'              => 'array',
				'sanitize_callback' => array( __CLASS__, 'sanitize' ),
				'default'           => self::defaults(),
				'show_in_rest'      => false,
			)
		);
	}

	/**
	 * The settings as they may be stored. A key or secret left empty keeps the saved one
	 * (they are never printed back, so the form cannot send them again).
	 *
	 * @param mixed $input What the form (or code) gave.
	 * @return array<string, mixed>
	 */
	public static function sanitize( $input ): array {
		$saved = self::get();
		$input = is_array( $input ) ? $input : array();
		$clean = self::defaults();

		$url = isset( $input['service_url'] ) ? trim( sanitize_text_field( (string) $input['service_url'] ) ) : '';
		$url = '' === $url ? '' : esc_url_raw( $url, array( 'http', 'https' ) );
		$clean['service_url'] = untrailingslashit( $url );

		foreach ( array( 'api_key', 'webhook_secret' ) as $name ) {
			$given          = isset( $input[ $name ] ) ? trim( sanitize_text_field( (string) $input[ $name ] ) ) : '';
			$clean[ $name ] = '' === $given ? (string) $saved[ $name ] : $given;
		}

		$voice          = isset( $input['voice'] ) ? trim( sanitize_text_field( (string) $input['voice'] ) ) : '';
		$clean['voice'] = preg_match( '/^[A-Za-z0-9][A-Za-z0-9:_.\-]{0,99}$/', $voice ) ? $voice : '';

		$placement          = isset( $input['placement'] ) ? sanitize_key( (string) $input['placement'] ) : '';
		$clean['placement'] = in_array( $placement, array( 'before', 'after', 'manual' ), true ) ? $placement : 'before';

		$types               = isset( $input['post_types'] ) ? array_map( 'sanitize_key', (array) $input['post_types'] ) : array();
		$clean['post_types'] = array_values( array_intersect( $types, array_keys( self::post_types() ) ) );

		$categories          = isset( $input['categories'] ) ? array_map( 'absint', (array) $input['categories'] ) : array();
		$clean['categories'] = array_values( array_unique( array_filter( $categories ) ) );
		return $clean;
	}

	/**
	 * The public post types a site could narrate, by name.
	 *
	 * @return array<string, string>
	 */
	public static function post_types(): array {
		$types = array();
		foreach ( get_post_types( array( 'public' => true ), 'objects' ) as $type ) {
			if ( 'attachment' !== $type->name ) {
				$types[ $type->name ] = $type->labels->singular_name;
			}
		}
		return $types;
	}

	/**
	 * Adds the page under Settings.
	 */
	public static function menu(): void {
		add_options_page(
			__( 'audiogen', 'audiogen' ),
			__( 'audiogen', 'audiogen' ),
			'manage_options',
			self::PAGE,
			array( __CLASS__, 'render' )
		);
	}

	/**
	 * A "Settings" link beside the plugin's name on the Plugins page.
	 *
	 * @param array<int|string, string> $links The links already there.
	 * @return array<int|string, string>
	 */
	public static function action_links( array $links ): array {
		$url = admin_url( 'options-general.php?page=' . self::PAGE );
		array_unshift( $links, '<a href="' . esc_url( $url ) . '">' . esc_html__( 'Settings', 'audiogen' ) . '</a>' );
		return $links;
	}

	/**
	 * The settings page's script, on that page only.
	 *
	 * @param string $hook The admin page being shown.
	 */
	public static function assets( string $hook ): void {
		if ( 'settings_page_' . self::PAGE !== $hook ) {
			return;
		}
		wp_enqueue_script(
			'audiogen-settings',
			plugins_url( 'assets/settings.js', AUDIOGEN_FILE ),
			array(),
			AUDIOGEN_VERSION,
			true
		);
		wp_localize_script(
			'audiogen-settings',
			'audiogenSettings',
			array(
				'ajaxUrl' => admin_url( 'admin-ajax.php' ),
				'nonce'   => wp_create_nonce( self::NONCE ),
				'testing' => __( 'Testing…', 'audiogen' ),
			)
		);
	}

	/**
	 * The last characters of a stored key, for the form to say which one is kept.
	 *
	 * @param string $value A key or secret.
	 */
	private static function hint( string $value ): string {
		if ( '' === $value ) {
			return __( 'none saved', 'audiogen' );
		}
		/* translators: %s: the last four characters of a saved key */
		return sprintf( __( 'saved, ends in …%s; type a new one to replace it', 'audiogen' ), substr( $value, -4 ) );
	}

	/**
	 * The settings page.
	 */
	public static function render(): void {
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_die( esc_html__( 'You may not change these settings.', 'audiogen' ), 403 );
		}
		$settings = self::get();
		$name     = self::OPTION;
		?>
		<div class="wrap">
			<h1><?php esc_html_e( 'audiogen', 'audiogen' ); ?></h1>
			<p><?php esc_html_e( 'Each published post is narrated by your audiogen service, and its player is put on the post\'s page once the narration is ready.', 'audiogen' ); ?></p>
			<form method="post" action="options.php">
				<?php settings_fields( self::PAGE ); ?>
				<table class="form-table" role="presentation">
					<tr>
						<th scope="row"><label for="audiogen-service-url"><?php esc_html_e( 'Service URL', 'audiogen' ); ?></label></th>
						<td>
							<input type="url" class="regular-text code" id="audiogen-service-url" name="<?php echo esc_attr( $name ); ?>[service_url]" value="<?php echo esc_attr( $settings['service_url'] ); ?>" placeholder="https://audio.example.com">
							<p class="description"><?php esc_html_e( 'Where audiogen serve answers (its --public-url).', 'audiogen' ); ?></p>
						</td>
					</tr>
					<tr>
						<th scope="row"><label for="audiogen-api-key"><?php esc_html_e( 'API key', 'audiogen' ); ?></label></th>
						<td>
							<input type="password" class="regular-text code" id="audiogen-api-key" name="<?php echo esc_attr( $name ); ?>[api_key]" value="" autocomplete="off" aria-describedby="audiogen-api-key-hint">
							<p class="description" id="audiogen-api-key-hint"><?php echo esc_html( self::hint( (string) $settings['api_key'] ) ); ?>. <?php esc_html_e( 'Made with: audiogen serve keys create --name wordpress', 'audiogen' ); ?></p>
						</td>
					</tr>
					<tr>
						<th scope="row"><label for="audiogen-webhook-secret"><?php esc_html_e( 'Webhook secret', 'audiogen' ); ?></label></th>
						<td>
							<input type="password" class="regular-text code" id="audiogen-webhook-secret" name="<?php echo esc_attr( $name ); ?>[webhook_secret]" value="" autocomplete="off" aria-describedby="audiogen-webhook-secret-hint">
							<p class="description" id="audiogen-webhook-secret-hint"><?php echo esc_html( self::hint( (string) $settings['webhook_secret'] ) ); ?>. <?php esc_html_e( 'Shown by: audiogen serve webhook-secret', 'audiogen' ); ?></p>
						</td>
					</tr>
					<tr>
						<th scope="row"><label for="audiogen-voice"><?php esc_html_e( 'Voice', 'audiogen' ); ?></label></th>
						<td>
							<input type="text" class="regular-text code" id="audiogen-voice" name="<?php echo esc_attr( $name ); ?>[voice]" value="<?php echo esc_attr( $settings['voice'] ); ?>" placeholder="<?php esc_attr_e( 'the service\'s default', 'audiogen' ); ?>">
							<p class="description"><?php esc_html_e( 'A voice preset\'s name or ENGINE:VOICE; empty: the service\'s (or the section\'s) voice.', 'audiogen' ); ?></p>
						</td>
					</tr>
					<tr>
						<th scope="row"><?php esc_html_e( 'Player', 'audiogen' ); ?></th>
						<td>
							<fieldset>
								<legend class="screen-reader-text"><?php esc_html_e( 'Where the player goes', 'audiogen' ); ?></legend>
								<?php
								$places = array(
									'before' => __( 'Before the post\'s content', 'audiogen' ),
									'after'  => __( 'After the post\'s content', 'audiogen' ),
									'manual' => __( 'Only where the audiogen block or [audiogen] shortcode is', 'audiogen' ),
								);
								foreach ( $places as $value => $label ) :
									?>
									<label><input type="radio" name="<?php echo esc_attr( $name ); ?>[placement]" value="<?php echo esc_attr( $value ); ?>" <?php checked( $settings['placement'], $value ); ?>> <?php echo esc_html( $label ); ?></label><br>
								<?php endforeach; ?>
							</fieldset>
						</td>
					</tr>
					<tr>
						<th scope="row"><?php esc_html_e( 'Narrated', 'audiogen' ); ?></th>
						<td>
							<fieldset>
								<legend class="screen-reader-text"><?php esc_html_e( 'Post types narrated', 'audiogen' ); ?></legend>
								<?php foreach ( self::post_types() as $type => $label ) : ?>
									<label><input type="checkbox" name="<?php echo esc_attr( $name ); ?>[post_types][]" value="<?php echo esc_attr( $type ); ?>" <?php checked( in_array( $type, (array) $settings['post_types'], true ) ); ?>> <?php echo esc_html( $label ); ?></label><br>
								<?php endforeach; ?>
							</fieldset>
							<fieldset>
								<legend><?php esc_html_e( 'Only posts in these categories (none ticked: every category)', 'audiogen' ); ?></legend>
								<?php foreach ( get_categories( array( 'hide_empty' => false ) ) as $category ) : ?>
									<label><input type="checkbox" name="<?php echo esc_attr( $name ); ?>[categories][]" value="<?php echo esc_attr( (string) $category->term_id ); ?>" <?php checked( in_array( (int) $category->term_id, (array) $settings['categories'], true ) ); ?>> <?php echo esc_html( $category->name ); ?></label><br>
								<?php endforeach; ?>
							</fieldset>
						</td>
					</tr>
				</table>
				<?php submit_button(); ?>
			</form>
			<h2><?php esc_html_e( 'Connection', 'audiogen' ); ?></h2>
			<p><?php esc_html_e( 'Checks, with the saved settings, that the service answers, takes the API key and the webhook secret.', 'audiogen' ); ?></p>
			<p><button type="button" class="button" id="audiogen-test-connection"><?php esc_html_e( 'Test connection', 'audiogen' ); ?></button></p>
			<p id="audiogen-test-result" role="status" aria-live="polite"></p>
		</div>
		<?php
	}

	/**
	 * The "test connection" button's call: one line, what works or what is wrong.
	 */
	public static function test_connection(): void {
		check_ajax_referer( self::NONCE, 'nonce' );
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_send_json_error( array( 'message' => __( 'You may not change these settings.', 'audiogen' ) ), 403 );
		}
		$problem = Audiogen_Client::from_settings()->check();
		if ( is_wp_error( $problem ) ) {
			wp_send_json_error( array( 'message' => $problem->get_error_message() ) );
		}
		wp_send_json_success( array( 'message' => __( 'Connected: the service answers and takes the API key and the webhook secret.', 'audiogen' ) ) );
	}
}
