#include "pop3_client.h"

#include <stdexcept>

namespace roost::bench {
namespace {

constexpr size_t kBodyBuffer = 64 * 1024;  // bulk reads for message bodies

}  // namespace

Task<void> Pop3Client::read_greeting() {
  std::string_view line = co_await stream_->read_line();
  if (!line.starts_with("+OK")) {
    throw std::runtime_error("bad POP3 greeting: " + std::string(line.substr(0, 200)));
  }
}

Task<void> Pop3Client::send(std::string_view text) { co_await stream_->write(text, "\r\n", {}); }

Task<Pop3Reply> Pop3Client::read_reply() {
  std::string_view line = co_await stream_->read_line();
  Pop3Reply reply;
  if (line.starts_with("+OK")) {
    reply.ok = true;
    reply.text = std::string(line.substr(line.size() > 3 ? 4 : 3));
  } else if (line.starts_with("-ERR")) {
    reply.text = std::string(line.substr(line.size() > 4 ? 5 : 4));
  } else {
    throw std::runtime_error("bad POP3 reply: " + std::string(line.substr(0, 200)));
  }
  co_return reply;
}

Task<Pop3Body> Pop3Client::read_body(std::vector<std::string>* lines) {
  Pop3Body body;
  std::string_view line;
  for (;;) {
    while (!stream_->take_line(line)) co_await stream_->fill(kBodyBuffer);
    if (line == ".") break;
    if (line.starts_with(".")) line.remove_prefix(1);  // RFC 1939 §3: byte-stuffing
    if (lines != nullptr) lines->emplace_back(line);
    body.bytes += line.size() + 2;
    ++body.lines;
  }
  co_return body;
}

Task<Pop3Reply> Pop3Client::command(std::string_view text) {
  co_await send(text);
  co_return co_await read_reply();
}

Task<Pop3Reply> Pop3Client::multiline(std::string_view text, Pop3Body* body) {
  co_await send(text);
  Pop3Reply reply = co_await read_reply();
  if (reply.ok) {
    Pop3Body got = co_await read_body();
    if (body != nullptr) *body = got;
  }
  co_return reply;
}

}  // namespace roost::bench
