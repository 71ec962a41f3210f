// Umbrella header for rabbitmq-c (Debian: librabbitmq-dev).
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>

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
