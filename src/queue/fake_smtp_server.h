// Test helper: a minimal SMTP server on 127.0.0.1 that records what it is sent and answers as
// told, on its own thread.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace roost::queue::testing {

struct Transaction {
  std::string mail_from;  // the whole MAIL FROM line
  std::vector<std::string> recipients;
  std::vector<std::string> rcpt_lines;  // the whole RCPT TO lines that were accepted
  std::string data;  // as sent, dot-stuffed, up to and including ".\r\n"
};

class FakeSmtpServer {
 public:
  std::function<std::string(const std::string& rcpt)> rcpt_reply = [](const std::string&) {
    return std::string("250 2.1.5 ok");
  };
  std::string greeting = "220 fake ESMTP";
  std::string data_reply = "250 2.0.0 queued";
  std::string ehlo_extensions = "250-fake\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250 8BITMIME";

  FakeSmtpServer() : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    boost::asio::co_spawn(io_, accept(), boost::asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~FakeSmtpServer() {
    io_.stop();
    thread_.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::vector<Transaction> transactions() {
    std::lock_guard lock(mu_);
    return done_;
  }
  int connections() {
    std::lock_guard lock(mu_);
    return connections_;
  }

 private:
  boost::asio::awaitable<void> accept() {
    for (;;) {
      auto socket = co_await acceptor_.async_accept(boost::asio::use_awaitable);
      {
        std::lock_guard lock(mu_);
        ++connections_;
      }
      boost::asio::co_spawn(io_, serve(std::move(socket)), boost::asio::detached);
    }
  }

  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket) {
    namespace asio = boost::asio;
    std::string buffer;
    auto send = [&](std::string line) -> asio::awaitable<void> {
      line += "\r\n";
      co_await asio::async_write(socket, asio::buffer(line), asio::use_awaitable);
    };
    auto read_line = [&]() -> asio::awaitable<std::string> {
      size_t n = co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer), "\r\n",
                                                 asio::use_awaitable);
      std::string line = buffer.substr(0, n - 2);
      buffer.erase(0, n);
      co_return line;
    };
    try {
      co_await send(greeting);
      if (greeting.rfind("220", 0) != 0) co_return;
      Transaction t;
      for (;;) {
        std::string line = co_await read_line();
        std::string verb = line.substr(0, 4);
        if (verb == "EHLO") {
          co_await send(ehlo_extensions);
        } else if (verb == "HELO") {
          co_await send("250 fake");
        } else if (verb == "MAIL") {
          t = Transaction{line, {}, {}, {}};
          co_await send("250 2.1.0 ok");
        } else if (verb == "RCPT") {
          std::string rcpt = line.substr(line.find('<') + 1);
          rcpt = rcpt.substr(0, rcpt.find('>'));
          std::string reply = rcpt_reply(rcpt);
          if (reply.rfind("250", 0) == 0) {
            t.recipients.push_back(rcpt);
            t.rcpt_lines.push_back(line);
          }
          co_await send(reply);
        } else if (verb == "DATA") {
          co_await send("354 go ahead");
          for (;;) {
            std::string data_line = co_await read_line();
            t.data += data_line + "\r\n";
            if (data_line == ".") break;
          }
          if (data_reply.rfind("250", 0) == 0) {
            std::lock_guard lock(mu_);
            done_.push_back(t);
          }
          co_await send(data_reply);
        } else if (verb == "QUIT") {
          co_await send("221 bye");
          co_return;
        } else {
          co_await send("502 5.5.1 not here");
        }
      }
    } catch (const std::exception&) {
    }
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Transaction> done_;
  int connections_ = 0;
};

}  // namespace roost::queue::testing
