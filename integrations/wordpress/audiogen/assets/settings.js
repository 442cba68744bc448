/**
 * Settings → audiogen: the "test connection" button says in one line what works or what
 * is wrong. Plain script, no build step.
 */
( function () {
	'use strict';
	var button = document.getElementById( 'audiogen-test-connection' );
	var result = document.getElementById( 'audiogen-test-result' );
	var config = window.audiogenSettings;
	if ( ! button || ! result || ! config ) {
		return;
	}
	button.addEventListener( 'click', function () {
		button.disabled = true;
		result.textContent = config.testing;
		var body = new URLSearchParams();
		body.set( 'action', 'audiogen_test_connection' );
		body.set( 'nonce', config.nonce );
		fetch( config.ajaxUrl, { method: 'POST', credentials: 'same-origin', body: body } )
			.then( function ( response ) {
				return response.json();
			} )
			.then( function ( answer ) {
				result.textContent = answer && answer.data && answer.data.message ? answer.data.message : String( answer );
				result.className = answer && answer.success ? 'audiogen-ok' : 'audiogen-problem';
			} )
			.catch( function ( error ) {
				result.textContent = String( error );
				result.className = 'audiogen-problem';
			} )
			.finally( function () {
				button.disabled = false;
			} );
	} );
} )();
