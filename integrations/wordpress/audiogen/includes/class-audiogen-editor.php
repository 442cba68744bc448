<?php
/**
 * The audiogen panel on a post's edit screen (a meta box: the block editor shows it below
 * the post, the classic editor in its side column): the narration's status, length, proof
 * accuracy and the sentences proof-listening flagged, a link to the audio, what failed and
 * why, and "Narrate again".
 *
 * @package audiogen
 */

defined( 'ABSPATH' ) || exit;

/**
 * The edit screen's panel and its button.
 */
final class Audiogen_Editor {

	const NONCE = 'audiogen_narrate_again';

	/**
	 * Hooks the panel, its script and its button's call.
	 */
	public static function init(): void {
		add_action( 'add_meta_boxes', array( __CLASS__, 'add' ), 10, 2 );
		add_action( 'admin_enqueue_scripts', array( __CLASS__, 'assets' ) );
		add_action( 'wp_ajax_audiogen_narrate_again', array( __CLASS__, 'narrate_again' ) );
	}

	/**
	 * The panel, on the narrated post types.
	 *
	 * @param string $post_type The post's type.
	 */
	public static function add( $post_type ): void {
		if ( ! in_array( $post_type, (array) Audiogen_Settings::get()['post_types'], true ) ) {
			return;
		}
		add_meta_box( 'audiogen', __( 'Narration', 'audiogen' ), array( __CLASS__, 'render' ), $post_type, 'side', 'default', array( '__back_compat_meta_box' => false ) );
	}

	/**
	 * The panel's script, on the edit screens.
	 *
	 * @param string $hook The admin page being shown.
	 */
	public static function assets( string $hook ): void {
		if ( 'post.php' !== $hook && 'post-new.php' !== $hook ) {
			return;
		}
		wp_enqueue_script( 'audiogen-editor', plugins_url( 'assets/editor.js', AUDIOGEN_FILE ), array(), AUDIOGEN_VERSION, true );
		wp_localize_script(
			'audiogen-editor',
			'audiogenEditor',
			array(
				'ajaxUrl' => admin_url( 'admin-ajax.php' ),
				'nonce'   => wp_create_nonce( self::NONCE ),
				'working' => __( 'Asking the service…', 'audiogen' ),
			)
		);
	}

	/**
	 * The panel.
	 *
	 * @param WP_Post $post The post being edited.
	 */
	public static function render( WP_Post $post ): void {
		if ( ! current_user_can( 'edit_post', $post->ID ) ) {
			return;
		}
		$state = Audiogen_Sync::state( $post->ID );
		if ( array() !== $state && 'removed' !== ( $state['status'] ?? '' ) ) {
			Audiogen_Sync::refresh( $post->ID, 5 );
			$state = Audiogen_Sync::state( $post->ID );
		}
		$article = isset( $state['article'] ) && is_array( $state['article'] ) ? $state['article'] : array();
		echo '<div class="audiogen-panel">';
		if ( 'failed' === ( $state['status'] ?? '' ) ) {
			printf(
				'<p class="audiogen-error" role="alert"><strong>%s</strong> %s</p>',
				esc_html__( 'The narration failed:', 'audiogen' ),
				esc_html( (string) ( $state['error'] ?? '' ) )
			);
		} elseif ( 'failed' === ( $article['status'] ?? '' ) ) {
			printf(
				'<p class="audiogen-error" role="alert"><strong>%s</strong> %s</p>',
				esc_html__( 'The narration failed at the service:', 'audiogen' ),
				esc_html( (string) ( $article['error'] ?? '' ) )
			);
		}
		printf( '<p><strong>%s</strong> %s</p>', esc_html__( 'Status:', 'audiogen' ), esc_html( self::status_text( $post, $state, $article ) ) );
		if ( isset( $article['title'] ) && is_string( $article['title'] ) && '' !== $article['title'] ) {
			printf( '<p><strong>%s</strong> <span class="audiogen-title">%s</span></p>', esc_html__( 'Announced as:', 'audiogen' ), esc_html( $article['title'] ) );
		}
		if ( isset( $article['audio'] ) && is_array( $article['audio'] ) ) {
			$seconds = (int) round( ( (int) ( $article['audio']['duration_ms'] ?? 0 ) ) / 1000 );
			printf( '<p><strong>%s</strong> %d:%02d</p>', esc_html__( 'Length:', 'audiogen' ), (int) intdiv( $seconds, 60 ), (int) ( $seconds % 60 ) );
			printf( '<p><a href="%s">%s</a></p>', esc_url( (string) ( $article['audio']['url'] ?? '' ) ), esc_html__( 'Listen to the audio', 'audiogen' ) );
		}
		if ( isset( $article['proof'] ) && is_array( $article['proof'] ) ) {
			self::render_proof( $article['proof'] );
		}
		if ( array() !== $article && isset( $article['status'] ) ) {
			printf(
				'<p><button type="button" class="button" id="audiogen-narrate-again" data-post="%d">%s</button></p>',
				(int) $post->ID,
				esc_html__( 'Narrate again', 'audiogen' )
			);
		}
		echo '<p id="audiogen-panel-result" role="status" aria-live="polite"></p>';
		echo '</div>';
	}

	/**
	 * What proof-listening heard: accuracy, and each flagged sentence as meant and as heard.
	 *
	 * @param array<string, mixed> $proof The service's proof figures.
	 */
	private static function render_proof( array $proof ): void {
		$accuracy = isset( $proof['accuracy'] ) ? (float) $proof['accuracy'] : null;
		if ( null !== $accuracy ) {
			printf(
				'<p><strong>%s</strong> %s</p>',
				esc_html__( 'Heard back:', 'audiogen' ),
				/* translators: 1: a percentage, 2: how many sentences were flagged */
				esc_html( sprintf( __( '%1$s %% of words as written, %2$d sentences flagged', 'audiogen' ), number_format_i18n( $accuracy * 100, 1 ), (int) ( $proof['flagged'] ?? 0 ) ) )
			);
		}
		$sentences = isset( $proof['sentences'] ) && is_array( $proof['sentences'] ) ? $proof['sentences'] : array();
		if ( array() === $sentences ) {
			return;
		}
		echo '<ol class="audiogen-flagged">';
		foreach ( $sentences as $sentence ) {
			if ( ! is_array( $sentence ) ) {
				continue;
			}
			printf(
				'<li><span>%s</span> %s<br><span>%s</span> %s</li>',
				esc_html__( 'Written:', 'audiogen' ),
				esc_html( (string) ( $sentence['meant'] ?? '' ) ),
				esc_html__( 'Heard:', 'audiogen' ),
				esc_html( (string) ( $sentence['heard'] ?? '' ) )
			);
		}
		echo '</ol>';
	}

	/**
	 * The narration's status in words.
	 *
	 * @param WP_Post              $post    The post.
	 * @param array<string, mixed> $state   The plugin's state of the post.
	 * @param array<string, mixed> $article The service's article, as kept.
	 */
	private static function status_text( WP_Post $post, array $state, array $article ): string {
		if ( ! Audiogen_Sync::narrated( $post ) ) {
			return __( 'not narrated (its type or category is not chosen in Settings → audiogen)', 'audiogen' );
		}
		if ( array() === $state ) {
			return 'publish' === $post->post_status ? __( 'not sent yet', 'audiogen' ) : __( 'narrated once the post is published', 'audiogen' );
		}
		$local = (string) ( $state['status'] ?? '' );
		if ( 'removed' === $local ) {
			return __( 'taken down (the post is not published)', 'audiogen' );
		}
		if ( 'queued' === $local ) {
			return __( 'waiting to be sent to the service', 'audiogen' );
		}
		if ( 'failed' === $local ) {
			$attempts = (int) ( $state['attempts'] ?? 0 );
			/* translators: %d: how many times the call was made */
			return sprintf( _n( 'not sent (tried %d time)', 'not sent (tried %d times)', $attempts, 'audiogen' ), $attempts );
		}
		$names = array(
			'queued'  => __( 'waiting for its turn at the service', 'audiogen' ),
			'running' => __( 'being narrated', 'audiogen' ),
			'done'    => __( 'narrated', 'audiogen' ),
			'failed'  => __( 'failed', 'audiogen' ),
		);
		$status = (string) ( $article['status'] ?? '' );
		$text   = $names[ $status ] ?? __( 'sent to the service', 'audiogen' );
		if ( 'done' === $status && isset( $article['access'] ) && 'subscribers' === $article['access'] ) {
			$text .= ' ' . __( '(for subscribers: not in the public feed)', 'audiogen' );
		}
		return $text;
	}

	/**
	 * The "Narrate again" button's call.
	 */
	public static function narrate_again(): void {
		check_ajax_referer( self::NONCE, 'nonce' );
		$post_id = isset( $_POST['post'] ) ? absint( wp_unslash( $_POST['post'] ) ) : 0;
		if ( $post_id <= 0 || ! current_user_can( 'edit_post', $post_id ) ) {
			wp_send_json_error( array( 'message' => __( 'You may not change this post.', 'audiogen' ) ), 403 );
		}
		$client  = Audiogen_Client::from_settings();
		$missing = $client->missing();
		if ( null !== $missing ) {
			wp_send_json_error( array( 'message' => $missing->get_error_message() ) );
		}
		$answer = $client->api( 'POST', '/articles/' . rawurlencode( Audiogen_Client::article_id( $post_id ) ) . '/narrate' );
		if ( is_wp_error( $answer ) ) {
			wp_send_json_error( array( 'message' => $answer->get_error_message() ) );
		}
		Audiogen_Sync::remember(
			$post_id,
			array(
				'status' => 'sent',
				'polls'  => 0,
			)
		);
		wp_schedule_single_event( time() + 15, Audiogen_Sync::POLL, array( $post_id, 'again' ) );
		wp_send_json_success( array( 'message' => __( 'The service narrates the post again: reload this screen in a minute to see it.', 'audiogen' ) ) );
	}
}
