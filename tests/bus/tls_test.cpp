// amqps: the TLS settings of BrokerConfig against a small TLS server of our own (no broker needed).
// The server presents a self-signed certificate for "localhost" and records whether a client got
// through the handshake and sent the AMQP protocol header, which only happens once the client has
// accepted the certificate. (The AMQP login then fails: the server speaks no AMQP.)
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include "bus/broker_config.hpp"

namespace appealhub::bus {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A self-signed certificate (CN and DNS SAN "localhost", EC P-256) written as PEM files.
struct SelfSigned {
  fs::path dir, cert, key;

  SelfSigned() {
    std::random_device rd;
    dir = fs::temp_directory_path() / ("appealhub-tls-" + std::to_string(rd()));
    fs::create_directories(dir);
    cert = dir / "cert.pem";
    key = dir / "key.pem";
    EVP_PKEY* pkey = EVP_EC_gen("P-256");
    X509* x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
    X509_set_pubkey(x, pkey);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost"},
                              std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      X509_add_ext(x, ext, -1);
      X509_EXTENSION_free(ext);
    }
    X509_sign(x, pkey, EVP_sha256());
    FILE* f = std::fopen(cert.c_str(), "w");
    PEM_write_X509(f, x);
    std::fclose(f);
    f = std::fopen(key.c_str(), "w");
    PEM_write_PrivateKey(f, pkey, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    X509_free(x);
    EVP_PKEY_free(pkey);
  }
  ~SelfSigned() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

// Accepts TLS connections on 127.0.0.1 until destroyed; counts clients that sent "AMQP".
class FakeTlsBroker {
 public:
  explicit FakeTlsBroker(const SelfSigned& cert) {
    ctx_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate_file(ctx_, cert.cert.c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_use_PrivateKey_file(ctx_, cert.key.c_str(), SSL_FILETYPE_PEM);
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listener_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeTlsBroker() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
    SSL_CTX_free(ctx_);
  }
  int port() const { return port_; }
  int amqp_headers() const { return amqp_headers_.load(); }

 private:
  void serve() {
    // A client that refuses our certificate hangs up mid-handshake, and OpenSSL then writes to a
    // closed socket. Block SIGPIPE in this thread only: the client side (the code under test) must
    // cope with the default disposition.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    while (!stopping_) {
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      timeval tv{5, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      SSL* ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, fd);
      if (SSL_accept(ssl) == 1) {
        char header[8];
        if (SSL_read(ssl, header, sizeof header) == 8 && std::string(header, 4) == "AMQP") {
          ++amqp_headers_;
        }
      }
      ERR_clear_error();
      SSL_free(ssl);
      ::close(fd);
    }
  }

  SSL_CTX* ctx_ = nullptr;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> amqp_headers_{0};
  std::thread thread_;
};

class Tls : public ::testing::Test {
 protected:
  BrokerConfig config(const std::string& host) const {
    BrokerConfig c;
    c.uri = "amqps://u:p@" + host + ":" + std::to_string(server_.port()) + "/%2f";
    c.ca_file = cert_.cert.string();
    c.connect_timeout = 2s;
    return c;
  }
  SelfSigned cert_;
  FakeTlsBroker server_{cert_};
};

TEST_F(Tls, TrustedCertificateForTheHostIsAccepted) {
  const auto problem = check_broker(config("localhost"));
  ASSERT_TRUE(problem.has_value());  // no AMQP behind it, but TLS worked:
  EXPECT_EQ(server_.amqp_headers(), 1) << *problem;
}

TEST_F(Tls, UntrustedCertificateIsRefusedByDefault) {
  BrokerConfig c = config("localhost");
  c.ca_file.clear();  // the system's CAs do not know our self-signed certificate
  const auto problem = check_broker(c);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(server_.amqp_headers(), 0) << *problem;
}

TEST_F(Tls, HostNameMustMatchTheCertificate) {
  const auto problem = check_broker(config("127.0.0.1"));  // the certificate says localhost
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(server_.amqp_headers(), 0) << *problem;
  EXPECT_NE(problem->find("hostname"), std::string::npos) << *problem;
}

TEST_F(Tls, VerificationCanBeSwitchedOffExplicitly) {
  BrokerConfig c = config("127.0.0.1");
  c.ca_file.clear();
  c.verify_peer = false;
  c.verify_hostname = false;
  check_broker(c);
  EXPECT_EQ(server_.amqp_headers(), 1);
}

TEST_F(Tls, ClientCertificateIsLoaded) {
  BrokerConfig c = config("localhost");
  c.cert_file = cert_.cert.string();
  c.key_file = cert_.key.string();
  check_broker(c);
  EXPECT_EQ(server_.amqp_headers(), 1);
}

TEST_F(Tls, BadFilesAreReported) {
  BrokerConfig c = config("localhost");
  c.ca_file = "/nonexistent/ca.pem";
  auto problem = check_broker(c);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("/nonexistent/ca.pem"), std::string::npos) << *problem;

  c = config("localhost");
  c.cert_file = cert_.cert.string();  // without key_file
  problem = check_broker(c);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("key_file"), std::string::npos) << *problem;
  EXPECT_EQ(server_.amqp_headers(), 0);
}

}  // namespace
}  // namespace appealhub::bus
