#include "bus/impl/amqp_connection.hpp"

#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#include <openssl/ssl.h>
#include <sys/time.h>

#include <stdexcept>
#include <string>

#include "bus/impl/amqp_fields.hpp"

namespace appealhub::bus::impl {
namespace {

constexpr int kFrameMax = 131072;

timeval to_timeval(std::chrono::milliseconds ms) {
  if (ms.count() < 0) ms = std::chrono::milliseconds(0);
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

std::string method_close_text(const amqp_method_t& method) {
  if (method.id == AMQP_CONNECTION_CLOSE_METHOD) {
    const auto* m = static_cast<const amqp_connection_close_t*>(method.decoded);
    return "connection closed by broker: " + std::to_string(m->reply_code) + " " +
           string_of(m->reply_text);
  }
  if (method.id == AMQP_CHANNEL_CLOSE_METHOD) {
    const auto* m = static_cast<const amqp_channel_close_t*>(method.decoded);
    return "channel closed by broker: " + std::to_string(m->reply_code) + " " +
           string_of(m->reply_text);
  }
  return std::string("unexpected method ") + amqp_method_name(method.id);
}

}  // namespace

std::string status_text(int status) {
  return amqp_error_string2(status);
}

std::string reply_text(const amqp_rpc_reply_t& reply) {
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return "ok";
    case AMQP_RESPONSE_NONE:
      return "no reply (missing RPC reply type)";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return status_text(reply.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      return method_close_text(reply.reply);
  }
  return "unknown reply";
}

AmqpConnection::AmqpConnection(const BrokerConfig& config, const BrokerAddress& address,
                               std::string_view role) {
  state_ = amqp_new_connection();
  if (state_ == nullptr) throw BusError("amqp_new_connection failed (out of memory)");
  try {
    const std::string where =
        (address.tls ? "amqps://" : "amqp://") + address.host + ":" + std::to_string(address.port);
    amqp_socket_t* socket = nullptr;
    if (address.tls) {
      socket = amqp_ssl_socket_new(state_);
      if (socket == nullptr) throw BusError("cannot create a TLS socket");
      amqp_ssl_socket_set_ssl_versions(socket, AMQP_TLSv1_2, AMQP_TLSvLATEST);
      if (!config.ca_file.empty()) {
        int rc = amqp_ssl_socket_set_cacert(socket, config.ca_file.c_str());
        if (rc != AMQP_STATUS_OK) {
          throw std::invalid_argument("cannot load TLS CA file " + config.ca_file + ": " +
                                      status_text(rc));
        }
      } else {
        auto* ctx = static_cast<SSL_CTX*>(amqp_ssl_socket_get_context(socket));
        if (ctx == nullptr || SSL_CTX_set_default_verify_paths(ctx) != 1) {
          throw BusError("cannot load the system's default TLS CA paths");
        }
      }
      if (config.cert_file.empty() != config.key_file.empty()) {
        throw std::invalid_argument("TLS client certificate needs both cert_file and key_file");
      }
      if (!config.cert_file.empty()) {
        int rc = amqp_ssl_socket_set_key(socket, config.cert_file.c_str(), config.key_file.c_str());
        if (rc != AMQP_STATUS_OK) {
          throw std::invalid_argument("cannot load TLS client certificate " + config.cert_file +
                                      " / key " + config.key_file + ": " + status_text(rc));
        }
      }
      amqp_ssl_socket_set_verify_peer(socket, config.verify_peer ? 1 : 0);
      amqp_ssl_socket_set_verify_hostname(socket, config.verify_hostname ? 1 : 0);
    } else {
      socket = amqp_tcp_socket_new(state_);
      if (socket == nullptr) throw BusError("cannot create a TCP socket");
    }

    const timeval timeout = to_timeval(config.connect_timeout);
    int rc = amqp_socket_open_noblock(socket, address.host.c_str(), address.port, &timeout);
    if (rc != AMQP_STATUS_OK) throw BusError("cannot connect to " + where + ": " + status_text(rc));
    amqp_set_handshake_timeout(state_, &timeout);
    amqp_set_rpc_timeout(state_, &timeout);

    TableBuilder capabilities;
    capabilities.boolean("connection.blocked", true)
        .boolean("consumer_cancel_notify", true)
        .boolean("publisher_confirms", true)
        .boolean("basic.nack", true);
    const amqp_table_t capabilities_table = capabilities.table();
    const std::string name =
        (config.connection_name.empty() ? std::string("appealhub") : config.connection_name) +
        " (" + std::string(role) + ")";
    TableBuilder properties;
    properties.text("connection_name", name)
        .text("product", "appealhub")
        .table("capabilities", capabilities_table);
    const amqp_table_t properties_table = properties.table();

    amqp_rpc_reply_t login = amqp_login_with_properties(
        state_, address.vhost.c_str(), 0, kFrameMax, std::max(0, config.heartbeat_seconds),
        &properties_table, AMQP_SASL_METHOD_PLAIN, address.user.c_str(), address.password.c_str());
    if (login.reply_type != AMQP_RESPONSE_NORMAL) {
      throw BusError("cannot log in to " + where + " vhost '" + address.vhost + "' as '" +
                     address.user + "': " + reply_text(login));
    }
    amqp_channel_open(state_, kChannel);
    amqp_rpc_reply_t open = amqp_get_rpc_reply(state_);
    if (open.reply_type != AMQP_RESPONSE_NORMAL) {
      throw BusError("cannot open a channel on " + where + ": " + reply_text(open));
    }
    channel_open_ = true;
  } catch (...) {
    amqp_destroy_connection(state_);
    state_ = nullptr;
    throw;
  }
}

AmqpConnection::~AmqpConnection() {
  if (state_ == nullptr) return;
  if (!broken_) {
    if (channel_open_) amqp_channel_close(state_, kChannel, AMQP_REPLY_SUCCESS);
    amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
  }
  amqp_destroy_connection(state_);
}

void AmqpConnection::check_reply(std::string_view what) {
  amqp_rpc_reply_t reply = amqp_get_rpc_reply(state_);
  if (reply.reply_type == AMQP_RESPONSE_NORMAL) return;
  std::string text = reply_text(reply);
  if (reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION) {
    // Tell the broker we saw the close, so it does not wait for us; the connection is done anyway.
    if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
      amqp_channel_close_ok_t ok{};
      amqp_send_method(state_, kChannel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
      channel_open_ = false;
      // Only the channel died; close the connection politely in the destructor.
      throw BusError(std::string(what) + ": " + text);
    }
    if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
      amqp_connection_close_ok_t ok{};
      amqp_send_method(state_, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
    }
  }
  broken_ = true;
  throw BusError(std::string(what) + ": " + text);
}

bool AmqpConnection::check_reply_or_not_found(std::string_view what) {
  amqp_rpc_reply_t reply = amqp_get_rpc_reply(state_);
  if (reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION &&
      reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD &&
      static_cast<const amqp_channel_close_t*>(reply.reply.decoded)->reply_code == AMQP_NOT_FOUND) {
    amqp_channel_close_ok_t ok{};
    amqp_send_method(state_, kChannel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
    channel_open_ = false;
    amqp_channel_open(state_, kChannel);
    check_reply("reopening the channel");
    channel_open_ = true;
    return false;
  }
  check_reply(what);
  return true;
}

int AmqpConnection::wait_frame(amqp_frame_t& frame, std::chrono::milliseconds timeout) {
  timeval tv = to_timeval(timeout);
  int rc = amqp_simple_wait_frame_noblock(state_, &frame, &tv);
  if (rc != AMQP_STATUS_OK && rc != AMQP_STATUS_TIMEOUT) broken_ = true;
  return rc;
}

std::string AmqpConnection::answer_close(const amqp_frame_t& frame) {
  if (frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD) {
    amqp_connection_close_ok_t ok{};
    amqp_send_method(state_, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
  } else if (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD) {
    amqp_channel_close_ok_t ok{};
    amqp_send_method(state_, frame.channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
    channel_open_ = false;
    return method_close_text(frame.payload.method);
  }
  broken_ = true;
  return method_close_text(frame.payload.method);
}

std::unique_ptr<AmqpConnection> connect_any(const BrokerConfig& config, std::string_view role) {
  const auto addresses = broker_addresses(config);
  for (std::size_t i = 0;; ++i) {
    try {
      return std::make_unique<AmqpConnection>(config, addresses[i], role);
    } catch (const BusError&) {
      if (i + 1 == addresses.size()) throw;
    }
  }
}

}  // namespace appealhub::bus::impl
