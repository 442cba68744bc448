<?php
/**
 * The service's client: signed webhook calls (HMAC-SHA256 of "timestamp.body", as the
 * service checks them) and API calls with the key. Every failure comes back as a
 * WP_Error whose message is one line a person can act on.
 *
 * @package audiogen
 */

defined( 'ABSPATH' ) || exit;

/**
 * Talks to one audiogen service.
 */
final class Audiogen_Client {

	/**
	 * Seconds a call may take (calls are made by WP-Cron or by an editor's click).
	 */
	const TIMEOUT = 10;

	/**
	 * The service's address, without a trailing slash.
	 *
	 * @var string
	 */
	private string $url;

	/**
	 * The API key (Authorization: Bearer).
	 *
	 * @var string
	 */
	private string $key;

	/**
	 * The webhook secret.
	 *
	 * @var string
	 */
	private string $secret;

	/**
	 * A client of the service at $url.
	 *
	 * @param string $url    Where the service answers.
	 * @param string $key    Its API key.
	 * @param string $secret Its webhook secret.
	 */
	public function __construct( string $url, string $key, string $secret ) {
		$this->url    = untrailingslashit( $url );
		$this->key    = $key;
		$this->secret = $secret;
	}

	/**
	 * A client with the saved settings.
	 */
	public static function from_settings(): self {
		$settings = Audiogen_Settings::get();
		return new self( (string) $settings['service_url'], (string) $settings['api_key'], (string) $settings['webhook_secret'] );
	}

	/**
	 * Why the settings cannot work yet, or null when they are complete.
	 */
	public function missing(): ?WP_Error {
		if ( '' === $this->url ) {
			return new WP_Error( 'audiogen_settings', __( 'audiogen is not set up: the service URL is empty (Settings → audiogen).', 'audiogen' ) );
		}
		if ( '' === $this->secret ) {
			return new WP_Error( 'audiogen_settings', __( 'audiogen is not set up: the webhook secret is empty (Settings → audiogen).', 'audiogen' ) );
		}
		if ( '' === $this->key ) {
			return new WP_Error( 'audiogen_settings', __( 'audiogen is not set up: the API key is empty (Settings → audiogen).', 'audiogen' ) );
		}
		return null;
	}

	/**
	 * A signed webhook call: the decoded answer, or why it failed.
	 *
	 * @param string               $path Where (/webhooks/wordpress, /webhooks/generic).
	 * @param array<string, mixed> $body What to send, as JSON.
	 * @return array<string, mixed>|WP_Error
	 */
	public function webhook( string $path, array $body ) {
		$json      = (string) wp_json_encode( $body );
		$timestamp = (string) time();
		$signature = 'sha256=' . hash_hmac( 'sha256', $timestamp . '.' . $json, $this->secret );
		$response  = wp_remote_post(
			$this->url . $path,
			array(
				'timeout'     => self::TIMEOUT,
				'redirection' => 0,
				'headers'     => array(
					'Content-Type'         => 'application/json',
					'X-Audiogen-Timestamp' => $timestamp,
					'X-Audiogen-Signature' => $signature,
				),
				'body'        => $json,
			)
		);
		return $this->answer( $response, 'secret' );
	}

	/**
	 * An API call with the key: the decoded answer, or why it failed.
	 *
	 * @param string $method  GET or POST.
	 * @param string $path    Where, with its query.
	 * @param int    $timeout Seconds it may take.
	 * @return array<string, mixed>|WP_Error
	 */
	public function api( string $method, string $path, int $timeout = self::TIMEOUT ) {
		$response = wp_remote_request(
			$this->url . $path,
			array(
				'method'      => $method,
				'timeout'     => $timeout,
				'redirection' => 0,
				'headers'     => array( 'Authorization' => 'Bearer ' . $this->key ),
			)
		);
		return $this->answer( $response, 'key' );
	}

	/**
	 * The article the service keeps for a post (null when it has none).
	 *
	 * @param int $post_id The post.
	 * @param int $timeout Seconds it may take.
	 * @return array<string, mixed>|null|WP_Error
	 */
	public function article( int $post_id, int $timeout = self::TIMEOUT ) {
		$answer = $this->api( 'GET', '/articles/' . rawurlencode( self::article_id( $post_id ) ), $timeout );
		if ( is_wp_error( $answer ) && 404 === $answer->get_error_data() ) {
			return null;
		}
		return $answer;
	}

	/**
	 * The service's id of a post's article.
	 *
	 * @param int $post_id The post.
	 */
	public static function article_id( int $post_id ): string {
		return 'wp-' . $post_id;
	}

	/**
	 * What "test connection" finds: null when the service answers and takes the key and
	 * the secret, else what is wrong.
	 */
	public function check(): ?WP_Error {
		$missing = $this->missing();
		if ( null !== $missing ) {
			return $missing;
		}
		$health = wp_remote_get(
			$this->url . '/healthz',
			array(
				'timeout'     => 5,
				'redirection' => 0,
			)
		);
		if ( is_wp_error( $health ) ) {
			return $this->unreachable( $health );
		}
		if ( 200 !== wp_remote_retrieve_response_code( $health ) ) {
			/* translators: 1: the service URL, 2: an HTTP status code */
			return new WP_Error( 'audiogen_unreachable', sprintf( __( 'Something answers at %1$s, but not audiogen (HTTP %2$d on /healthz).', 'audiogen' ), $this->url, wp_remote_retrieve_response_code( $health ) ) );
		}
		$listed = $this->api( 'GET', '/articles?limit=1', 5 );
		if ( is_wp_error( $listed ) ) {
			return $listed;
		}
		$signed = $this->webhook( '/webhooks/check', array( 'check' => wp_generate_uuid4() ) );
		return is_wp_error( $signed ) ? $signed : null;
	}

	/**
	 * One line for a service that could not be reached.
	 *
	 * @param WP_Error $error What the HTTP API said.
	 */
	private function unreachable( WP_Error $error ): WP_Error {
		$reason = trim( preg_replace( '/\s+/', ' ', $error->get_error_message() ) );
		/* translators: 1: the service URL, 2: the reason */
		return new WP_Error( 'audiogen_unreachable', sprintf( __( 'The service cannot be reached at %1$s: %2$s', 'audiogen' ), $this->url, $reason ), 0 );
	}

	/**
	 * A response decoded, or a one-line WP_Error whose data is the HTTP status.
	 *
	 * @param array<string, mixed>|WP_Error $response   What the HTTP API gave.
	 * @param string                        $credential What signed the call: key or secret.
	 * @return array<string, mixed>|WP_Error
	 */
	private function answer( $response, string $credential ) {
		if ( is_wp_error( $response ) ) {
			return $this->unreachable( $response );
		}
		$status = (int) wp_remote_retrieve_response_code( $response );
		$data   = json_decode( (string) wp_remote_retrieve_body( $response ), true );
		$detail = is_array( $data ) && isset( $data['error'] ) && is_string( $data['error'] ) ? $data['error'] : '';
		$detail = trim( preg_replace( '/\s+/', ' ', $detail ) );
		if ( $status >= 200 && $status < 300 ) {
			return is_array( $data ) ? $data : array();
		}
		if ( 409 === $status && 'secret' === $credential ) {
			return array( 'unchanged' => true ); // The same call was taken already.
		}
		if ( 401 === $status || 403 === $status ) {
			$message = 'secret' === $credential
				/* translators: %s: the service's reason */
				? sprintf( __( 'The service refused the webhook secret: %s. Copy it again from "audiogen serve webhook-secret" into Settings → audiogen.', 'audiogen' ), '' !== $detail ? $detail : __( 'the signature does not match', 'audiogen' ) )
				: __( 'The service refused the API key: make one with "audiogen serve keys create" and paste it into Settings → audiogen.', 'audiogen' );
			return new WP_Error( 'audiogen_refused', $message, $status );
		}
		/* translators: 1: an HTTP status code, 2: the service's reason */
		return new WP_Error( 'audiogen_failed', sprintf( __( 'The service answered HTTP %1$d: %2$s', 'audiogen' ), $status, '' !== $detail ? $detail : __( 'no reason given', 'audiogen' ) ), $status );
	}
}
