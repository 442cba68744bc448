<?php
/**
 * Posts to the service: on publish, update, unpublish, trash and delete a call is queued
 * for WP-Cron (the editor never waits for the service); a failed call is kept on the
 * post, shown on its edit screen and tried again later; once sent, the narration's state
 * is asked for until it is done.
 *
 * @package audiogen
 */

defined( 'ABSPATH' ) || exit;

/**
 * Keeps the service's articles in step with the site's posts.
 */
final class Audiogen_Sync {

	const SEND  = 'audiogen_send';
	const POLL  = 'audiogen_poll';
	const STATE = '_audiogen_state';

	/**
	 * Tries of a failed call before it waits for the next save (1, 2, 4, 8, 16, 32 minutes apart).
	 */
	const MAX_ATTEMPTS = 6;

	/**
	 * Times the narration's state is asked for after a call, 15 s apart, then less often.
	 */
	const MAX_POLLS = 40;

	/**
	 * Posts queued in this request (a save fires several hooks).
	 *
	 * @var array<int, bool>
	 */
	private static array $queued = array();

	/**
	 * True while a post is rendered for the service (no player inside what is narrated).
	 *
	 * @var boolean
	 */
	public static bool $rendering = false;

	/**
	 * Hooks the post's life and the scheduled calls.
	 */
	public static function init(): void {
		add_action( 'transition_post_status', array( __CLASS__, 'on_transition' ), 10, 3 );
		add_action( 'save_post', array( __CLASS__, 'on_save' ), 20, 2 );
		add_action( 'before_delete_post', array( __CLASS__, 'on_delete' ) );
		add_action( self::SEND, array( __CLASS__, 'send' ), 10, 2 );
		add_action( self::POLL, array( __CLASS__, 'poll' ), 10, 2 );
		add_action( 'shutdown', array( __CLASS__, 'kick' ) );
	}

	/**
	 * Whether posts of this type (and, for posts, these categories) are narrated.
	 *
	 * @param WP_Post $post The post.
	 */
	public static function narrated( WP_Post $post ): bool {
		$settings = Audiogen_Settings::get();
		if ( ! in_array( $post->post_type, (array) $settings['post_types'], true ) ) {
			return false;
		}
		$wanted = array_map( 'intval', (array) $settings['categories'] );
		if ( array() === $wanted || ! is_object_in_taxonomy( $post->post_type, 'category' ) ) {
			return true;
		}
		return array() !== array_intersect( $wanted, wp_get_post_categories( $post->ID ) );
	}

	/**
	 * The post's state as the plugin keeps it.
	 *
	 * @param int $post_id The post.
	 * @return array<string, mixed>
	 */
	public static function state( int $post_id ): array {
		$state = get_post_meta( $post_id, self::STATE, true );
		return is_array( $state ) ? $state : array();
	}

	/**
	 * Changes some of the post's state.
	 *
	 * @param int                  $post_id The post.
	 * @param array<string, mixed> $changes What changes.
	 */
	public static function remember( int $post_id, array $changes ): void {
		update_post_meta( $post_id, self::STATE, array_merge( self::state( $post_id ), $changes ) );
	}

	/**
	 * A status change: publish, unpublish (to draft, pending or private), trash.
	 *
	 * @param string  $new_status The status now.
	 * @param string  $old_status The status before.
	 * @param WP_Post $post       The post.
	 */
	public static function on_transition( string $new_status, string $old_status, WP_Post $post ): void {
		if ( 'publish' === $new_status || 'publish' === $old_status ) {
			self::queue( $post );
		}
	}

	/**
	 * A save of a published post (an update; one that changes no status fires no transition
	 * in some editors).
	 *
	 * @param int     $post_id The post.
	 * @param WP_Post $post    The post.
	 */
	public static function on_save( int $post_id, WP_Post $post ): void {
		if ( wp_is_post_revision( $post_id ) || wp_is_post_autosave( $post_id ) ) {
			return;
		}
		if ( 'publish' === $post->post_status ) {
			self::queue( $post );
		}
	}

	/**
	 * A post deleted for good: its episode is taken down (the call carries only its id).
	 *
	 * @param int $post_id The post.
	 */
	public static function on_delete( int $post_id ): void {
		if ( array() !== self::state( $post_id ) ) {
			wp_schedule_single_event( time(), self::SEND, array( $post_id, 'delete' ) );
			self::$queued[ $post_id ] = true;
		}
	}

	/**
	 * Queues the post's call for WP-Cron (once per request).
	 *
	 * @param WP_Post $post The post.
	 */
	private static function queue( WP_Post $post ): void {
		if ( isset( self::$queued[ $post->ID ] ) || 'revision' === $post->post_type || 'auto-draft' === $post->post_status ) {
			return;
		}
		$known = array() !== self::state( $post->ID );
		if ( ! $known && ( ! self::narrated( $post ) || 'publish' !== $post->post_status ) ) {
			return; // Never sent and not to be: nothing to do.
		}
		self::$queued[ $post->ID ] = true;
		self::remember(
			$post->ID,
			array(
				'status' => 'queued',
				'queued' => time(),
			)
		);
		wp_schedule_single_event( time(), self::SEND, array( $post->ID, 'save' ) );
	}

	/**
	 * At the end of a request that queued calls: WP-Cron is started now, not on the next visit.
	 */
	public static function kick(): void {
		if ( array() !== self::$queued && ! wp_doing_cron() && function_exists( 'spawn_cron' ) ) {
			spawn_cron();
		}
	}

	/**
	 * The scheduled call: the post as it is now, or its removal.
	 *
	 * @param int    $post_id The post.
	 * @param string $reason  Why: save, retry or delete.
	 */
	public static function send( $post_id, $reason = 'save' ): void {
		$post_id = (int) $post_id;
		$client  = Audiogen_Client::from_settings();
		$post    = get_post( $post_id );
		$missing = $client->missing();
		if ( null !== $missing ) {
			if ( $post ) {
				self::failed( $post_id, $missing, $reason, false );
			}
			return;
		}
		if ( 'delete' === $reason || ! $post ) {
			$answer = $client->webhook(
				'/webhooks/generic',
				array(
					'event' => 'unpublish',
					'id'    => Audiogen_Client::article_id( $post_id ),
				)
			);
			if ( is_wp_error( $answer ) && self::retryable( $answer ) ) {
				wp_schedule_single_event( time() + MINUTE_IN_SECONDS, self::SEND, array( $post_id, 'delete' ) );
			}
			return;
		}
		if ( 'publish' !== $post->post_status || ! self::narrated( $post ) ) {
			$body = array(
				'event'    => 'unpublish',
				'id'       => Audiogen_Client::article_id( $post_id ),
				'modified' => self::utc( $post->post_modified_gmt ),
			);
			self::call( $client, $post_id, $reason, '/webhooks/generic', $body, array( 'status' => 'removed', 'article' => null ) );
			return;
		}
		$answer = self::call( $client, $post_id, $reason, '/webhooks/wordpress', self::payload( $post ), array( 'status' => 'sent', 'polls' => 0 ) );
		if ( null === $answer ) {
			return;
		}
		self::take( $post_id, $answer );
		wp_clear_scheduled_hook( self::POLL, array( $post_id, 'next' ) );
		wp_schedule_single_event( time() + 15, self::POLL, array( $post_id, 'next' ) );
	}

	/**
	 * A signed call for the post: on success its state changes by ``$state`` (and the
	 * answer is given back), on failure the failure is kept on the post and retried.
	 *
	 * @param Audiogen_Client      $client  The service.
	 * @param int                  $post_id The post.
	 * @param string               $reason  Why the call is made: save, retry or delete.
	 * @param string               $path    Where.
	 * @param array<string, mixed> $body    What.
	 * @param array<string, mixed> $state   The post's state once the call is taken.
	 * @return array<string, mixed>|null
	 */
	private static function call( Audiogen_Client $client, int $post_id, string $reason, string $path, array $body, array $state ): ?array {
		$answer = $client->webhook( $path, $body );
		if ( is_wp_error( $answer ) ) {
			self::failed( $post_id, $answer, $reason );
			return null;
		}
		$taken = array(
			'error'    => '',
			'attempts' => 0,
			'sent'     => time(),
		);
		self::remember( $post_id, array_merge( $taken, $state ) );
		return $answer;
	}

	/**
	 * Asks the service how the post's narration stands; again later while it is not done.
	 *
	 * @param int    $post_id The post.
	 * @param string $when    Why it was scheduled.
	 */
	public static function poll( $post_id, $when = 'next' ): void {
		$post_id = (int) $post_id;
		$state   = self::state( $post_id );
		if ( array() === $state || 'removed' === ( $state['status'] ?? '' ) ) {
			return;
		}
		$polls = (int) ( $state['polls'] ?? 0 ) + 1;
		self::remember( $post_id, array( 'polls' => $polls ) );
		$article = self::refresh( $post_id );
		$pending = is_array( $article ) && in_array( $article['status'] ?? '', array( 'queued', 'running' ), true );
		if ( ( $pending || is_wp_error( $article ) ) && $polls < self::MAX_POLLS ) {
			$delay = $polls < 20 ? 15 : 5 * MINUTE_IN_SECONDS;
			wp_schedule_single_event( time() + $delay, self::POLL, array( $post_id, $when ) );
		}
	}

	/**
	 * The service's article for the post, fetched now and kept on the post.
	 *
	 * @param int $post_id The post.
	 * @param int $timeout Seconds it may take.
	 * @return array<string, mixed>|null|WP_Error
	 */
	public static function refresh( int $post_id, int $timeout = Audiogen_Client::TIMEOUT ) {
		$client = Audiogen_Client::from_settings();
		if ( null !== $client->missing() ) {
			return null;
		}
		self::remember( $post_id, array( 'checked' => time() ) ); // Before the call: the next page view waits its turn.
		$article = $client->article( $post_id, $timeout );
		if ( is_wp_error( $article ) ) {
			return $article;
		}
		self::take( $post_id, $article );
		return $article;
	}

	/**
	 * Keeps what the page and the edit screen show of the service's article.
	 *
	 * @param int                       $post_id The post.
	 * @param array<string, mixed>|null $article The service's article (null: it has none).
	 */
	private static function take( int $post_id, ?array $article ): void {
		if ( null === $article ) {
			self::remember( $post_id, array( 'article' => null ) );
			return;
		}
		if ( ! isset( $article['status'] ) ) {
			return; // An answer that is not an article (a call taken already).
		}
		$kept = array();
		foreach ( array( 'status', 'title', 'error', 'audio', 'proof', 'embed', 'status_detail', 'access' ) as $name ) {
			if ( isset( $article[ $name ] ) ) {
				$kept[ $name ] = $article[ $name ];
			}
		}
		if ( isset( $article['job'] ) && is_array( $article['job'] ) ) {
			$kept['job'] = array_intersect_key( $article['job'], array_flip( array( 'id', 'state', 'sentences_synthesized', 'sentences_cached', 'error' ) ) );
		}
		self::remember( $post_id, array( 'article' => $kept ) );
	}

	/**
	 * Whether a failed call is worth trying again (the service was away or failing, not refusing).
	 *
	 * @param WP_Error $error What failed.
	 */
	private static function retryable( WP_Error $error ): bool {
		$status = (int) $error->get_error_data();
		return 0 === $status || 429 === $status || $status >= 500;
	}

	/**
	 * Keeps a failed call on the post (its edit screen says it) and tries again later.
	 *
	 * @param int      $post_id The post.
	 * @param WP_Error $error   What failed.
	 * @param string   $reason  Why the call was made.
	 * @param bool     $retry   Whether to try again.
	 */
	private static function failed( int $post_id, WP_Error $error, string $reason, bool $retry = true ): void {
		$attempts = 'retry' === $reason ? (int) ( self::state( $post_id )['attempts'] ?? 0 ) + 1 : 1;
		self::remember(
			$post_id,
			array(
				'status'   => 'failed',
				'error'    => $error->get_error_message(),
				'attempts' => $attempts,
				'failed'   => time(),
			)
		);
		if ( $retry && self::retryable( $error ) && $attempts < self::MAX_ATTEMPTS ) {
			wp_schedule_single_event( time() + MINUTE_IN_SECONDS * ( 2 ** ( $attempts - 1 ) ), self::SEND, array( $post_id, 'retry' ) );
		}
	}

	/**
	 * The post as the service reads it (the shape of the WordPress REST API, and what the
	 * plugin adds: author's name, categories' names, the site's locale, the voice).
	 *
	 * @param WP_Post $post The post.
	 * @return array<string, mixed>
	 */
	public static function payload( WP_Post $post ): array {
		$settings        = Audiogen_Settings::get();
		self::$rendering = true;
		try {
			$content = (string) apply_filters( 'the_content', $post->post_content );
			$title   = (string) apply_filters( 'the_title', $post->post_title, $post->ID );
		} finally {
			self::$rendering = false;
		}
		$categories = is_object_in_taxonomy( $post->post_type, 'category' )
			? wp_get_post_categories( $post->ID, array( 'fields' => 'names' ) )
			: array();
		$body       = array(
			'id'             => $post->ID,
			'status'         => $post->post_status,
			'link'           => get_permalink( $post ),
			'title'          => array( 'rendered' => $title ),
			'content'        => array(
				'rendered'  => $content,
				'protected' => '' !== $post->post_password,
			),
			'author_name'    => get_the_author_meta( 'display_name', (int) $post->post_author ),
			'date_gmt'       => self::utc( $post->post_date_gmt ),
			'modified_gmt'   => self::utc( $post->post_modified_gmt ),
			'category_names' => is_array( $categories ) ? array_values( $categories ) : array(),
			'lang'           => get_locale(),
		);
		if ( '' !== $settings['voice'] ) {
			$body['voice'] = $settings['voice'];
		}
		return (array) apply_filters( 'audiogen_payload', $body, $post );
	}

	/**
	 * A GMT database time as ISO 8601 in UTC.
	 *
	 * @param string $gmt A post's *_gmt time.
	 */
	private static function utc( string $gmt ): string {
		if ( '' === $gmt || '0000-00-00 00:00:00' === $gmt ) {
			return gmdate( 'Y-m-d\TH:i:s\Z' );
		}
		return str_replace( ' ', 'T', $gmt ) . 'Z';
	}

	/**
	 * Deactivation: no call is left scheduled.
	 */
	public static function unschedule_all(): void {
		wp_unschedule_hook( self::SEND );
		wp_unschedule_hook( self::POLL );
	}
}
