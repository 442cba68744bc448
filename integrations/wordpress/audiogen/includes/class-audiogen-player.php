<?php
/**
 * The player on the post's page: a block (audiogen/player), a shortcode ([audiogen]) and,
 * per the settings, before or after the content. Nothing is printed until the narration
 * is done; the player's script is the service's, enqueued the WordPress way (as a module,
 * with its version) so a page's Content-Security-Policy needs only the service's origin.
 *
 * @package audiogen
 */

defined( 'ABSPATH' ) || exit;

/**
 * Puts the narration's player on the page.
 */
final class Audiogen_Player {

	/**
	 * Seconds between two looks at the service for a post still being narrated, made
	 * while its page is shown.
	 */
	const RECHECK = 5;

	/**
	 * The player's attributes the page may carry, and whether each is a URL.
	 */
	const ATTRIBUTES = array(
		'src'        => true,
		'timings'    => true,
		'transcript' => true,
		'stats'      => true,
		'episode'    => false,
		'label'      => false,
		'about'      => true,
		'sponsor'    => true,
	);

	/**
	 * Posts whose player is on the page already.
	 *
	 * @var array<int, bool>
	 */
	private static array $shown = array();

	/**
	 * Hooks the block, the shortcode, the content filter and the script's tag.
	 */
	public static function init(): void {
		add_action( 'init', array( __CLASS__, 'register' ) );
		add_filter( 'the_content', array( __CLASS__, 'content' ), 20 );
		add_filter( 'script_loader_tag', array( __CLASS__, 'module_tag' ), 10, 3 );
	}

	/**
	 * The block and the shortcode.
	 */
	public static function register(): void {
		register_block_type(
			AUDIOGEN_DIR . 'blocks/player',
			array( 'render_callback' => array( __CLASS__, 'render_block' ) )
		);
		add_shortcode( 'audiogen', array( __CLASS__, 'shortcode' ) );
	}

	/**
	 * The block's markup on the page.
	 */
	public static function render_block(): string {
		return self::markup( (int) get_the_ID() );
	}

	/**
	 * The shortcode's markup on the page.
	 */
	public static function shortcode(): string {
		return self::markup( (int) get_the_ID() );
	}

	/**
	 * The player before or after the post's content, per the settings (not where the
	 * post holds the block or the shortcode, and never inside what is narrated).
	 *
	 * @param string $content The post's content.
	 */
	public static function content( $content ) {
		$settings = Audiogen_Settings::get();
		if ( 'manual' === $settings['placement'] || Audiogen_Sync::$rendering || ! is_singular() || ! is_main_query() ) {
			return $content;
		}
		$post_id = (int) get_the_ID();
		if ( $post_id !== (int) get_queried_object_id() ) {
			return $content; // Another post's content shown on this page (a list, a widget).
		}
		if ( has_block( 'audiogen/player', $post_id ) || has_shortcode( (string) get_post_field( 'post_content', $post_id ), 'audiogen' ) ) {
			return $content;
		}
		$player = self::markup( $post_id );
		if ( '' === $player ) {
			return $content;
		}
		return 'after' === $settings['placement'] ? $content . $player : $player . $content;
	}

	/**
	 * The player for a post whose narration is done, with its script enqueued; "" until then.
	 *
	 * @param int $post_id The post.
	 */
	public static function markup( int $post_id ): string {
		if ( Audiogen_Sync::$rendering || $post_id <= 0 || isset( self::$shown[ $post_id ] ) ) {
			return '';
		}
		$post = get_post( $post_id );
		if ( ! $post || 'publish' !== $post->post_status || post_password_required( $post ) || ! Audiogen_Sync::narrated( $post ) ) {
			return '';
		}
		$embed = self::embed( $post_id );
		if ( null === $embed ) {
			return '';
		}
		$attributes = '';
		foreach ( self::ATTRIBUTES as $name => $is_url ) {
			if ( ! isset( $embed['attributes'][ $name ] ) || ! is_string( $embed['attributes'][ $name ] ) ) {
				continue;
			}
			$value       = $embed['attributes'][ $name ];
			$attributes .= sprintf( ' %s="%s"', $name, $is_url ? esc_url( $value ) : esc_attr( $value ) );
		}
		if ( ! str_contains( $attributes, ' src="' ) ) {
			return '';
		}
		wp_enqueue_script( 'audiogen-player', esc_url_raw( $embed['script'] ), array(), (string) $embed['version'], true );
		self::$shown[ $post_id ] = true;
		return '<div class="wp-block-audiogen-player"><audiogen-player' . $attributes . '></audiogen-player></div>';
	}

	/**
	 * The service's player data for the post once its narration is done; null before.
	 * A post still being narrated is looked up again at most every RECHECK seconds.
	 *
	 * @param int $post_id The post.
	 * @return array<string, mixed>|null
	 */
	private static function embed( int $post_id ): ?array {
		$state   = Audiogen_Sync::state( $post_id );
		$article = $state['article'] ?? null;
		$done    = is_array( $article ) && 'done' === ( $article['status'] ?? '' ) && isset( $article['embed'] );
		$waiting = in_array( $state['status'] ?? '', array( 'sent', 'queued' ), true ) || ( is_array( $article ) && ! $done );
		if ( ! $done && $waiting && time() - (int) ( $state['checked'] ?? 0 ) >= self::RECHECK ) {
			$fresh   = Audiogen_Sync::refresh( $post_id, 3 );
			$article = is_array( $fresh ) ? $fresh : $article;
			$done    = is_array( $article ) && 'done' === ( $article['status'] ?? '' ) && isset( $article['embed'] );
		}
		if ( ! $done || ! is_array( $article['embed'] ) || ! isset( $article['embed']['script'], $article['embed']['attributes'] ) ) {
			return null;
		}
		$embed = $article['embed'];
		return is_string( $embed['script'] ) && is_array( $embed['attributes'] ) ? $embed : null;
	}

	/**
	 * The player's script is a module: its tag says so.
	 *
	 * @param string $tag    The script tag WordPress printed.
	 * @param string $handle The script's handle.
	 * @param string $src    The script's address.
	 */
	public static function module_tag( $tag, $handle, $src ) {
		if ( 'audiogen-player' !== $handle ) {
			return $tag;
		}
		$nonce = (string) apply_filters( 'audiogen_script_nonce', '' );
		$extra = '' !== $nonce ? ' nonce="' . esc_attr( $nonce ) . '"' : '';
		// phpcs:ignore WordPress.WP.EnqueuedResources.NonEnqueuedScript -- this is the enqueued script's own tag.
		return '<script type="module" src="' . esc_url( $src ) . '" id="audiogen-player-js"' . $extra . '></script>' . "\n";
	}
}
