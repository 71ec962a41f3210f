// Umbrella header for rabbitmq-c (Debian: librabbitmq-dev, which brings libssl-dev).
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <amqp_ssl_socket.h>
#include <openssl/err.h>
#include <stddef.h>

// Swift cannot call C variadic functions; amqp_login_with_properties takes the SASL
// credentials as varargs. This fixes them to PLAIN with a user name and a password.
static inline amqp_rpc_reply_t faafo_amqp_login_plain(
    amqp_connection_state_t state, char const *vhost, int channel_max, int frame_max,
    int heartbeat, amqp_table_t const *client_properties, char const *user,
    char const *password) {
    return amqp_login_with_properties(state, vhost, channel_max, frame_max, heartbeat,
                                      client_properties, AMQP_SASL_METHOD_PLAIN, user,
                                      password);
}

// librabbitmq reports a failed TLS handshake as one status; OpenSSL's error queue (per
// thread) says why ("certificate verify failed", "wrong version number"...). Writes the
// reason of the latest error into `buffer`, empties the queue, and returns 0 if there was none.
static inline int faafo_tls_last_error(char *buffer, size_t length) {
    unsigned long error = ERR_peek_last_error();
    if (error != 0) ERR_error_string_n(error, buffer, length);
    ERR_clear_error();
    return error != 0;
}
