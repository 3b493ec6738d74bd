#include "mailauth/dns_resolver.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <poll.h>
#include <unbound.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "mailauth/dns_cache.h"

namespace roost::mailauth {

Result<IpAddress> IpAddress::parse(std::string_view text) {
  std::string s(text);
  IpAddress ip;
  if (inet_pton(AF_INET, s.c_str(), ip.bytes.data()) == 1) return ip;
  ip.v6 = true;
  if (inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) == 1) return ip;
  return make_error(ErrorKind::Syntax, fmt::format("not an IP address: {}", s));
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return buf;
}

std::string reverse_name(const IpAddress& ip) {
  std::string name;
  if (!ip.v6) {
    for (int i = 3; i >= 0; --i) name += fmt::format("{}.", ip.bytes[i]);
    return name + "in-addr.arpa";
  }
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    name += kHex[ip.bytes[i] & 0xf];
    name += '.';
    name += kHex[ip.bytes[i] >> 4];
    name += '.';
  }
  return name + "ip6.arpa";
}

namespace {

constexpr int kTypeA = 1, kTypePtr = 12, kTypeMx = 15, kTypeTxt = 16, kTypeAaaa = 28;
constexpr int kRcodeNxdomain = 3;

// A domain name in uncompressed wire format (libunbound hands rdata uncompressed).
bool read_name(const uint8_t* p, size_t len, size_t& pos, std::string& out) {
  out.clear();
  while (pos < len) {
    uint8_t n = p[pos++];
    if (n == 0) return true;
    if (n > 63 || pos + n > len) return false;
    if (!out.empty()) out += '.';
    out.append(reinterpret_cast<const char*>(p + pos), n);
    pos += n;
  }
  return false;
}

struct Pending {
  bool done = false;
  int err = 0;
  ub_result* result = nullptr;
};

void on_result(void* mydata, int err, ub_result* result) {
  auto* pending = static_cast<Pending*>(mydata);
  pending->done = true;
  pending->err = err;
  pending->result = result;
}

class UnboundResolver final : public Resolver {
 public:
  UnboundResolver(ub_ctx* ctx, uint32_t timeout_ms) : ctx_(ctx), timeout_ms_(timeout_ms) {}
  ~UnboundResolver() override { ub_ctx_delete(ctx_); }

  Result<DnsAnswer<std::string>> txt(std::string_view name) override {
    DnsAnswer<std::string> answer;
    ROOST_TRY(query(name, kTypeTxt, answer, [&](const uint8_t* p, size_t len) {
      std::string joined;
      for (size_t pos = 0; pos < len;) {
        size_t n = p[pos++];
        if (pos + n > len) return false;
        joined.append(reinterpret_cast<const char*>(p + pos), n);
        pos += n;
      }
      answer.records.push_back(std::move(joined));
      return true;
    }));
    return answer;
  }

  Result<DnsAnswer<MxHost>> mx(std::string_view name) override {
    DnsAnswer<MxHost> answer;
    ROOST_TRY(query(name, kTypeMx, answer, [&](const uint8_t* p, size_t len) {
      if (len < 3) return false;
      MxHost mx{static_cast<uint16_t>(p[0] << 8 | p[1]), {}};
      size_t pos = 2;
      if (!read_name(p, len, pos, mx.host)) return false;
      answer.records.push_back(std::move(mx));
      return true;
    }));
    return answer;
  }

  Result<DnsAnswer<IpAddress>> address(std::string_view name, bool v6) override {
    DnsAnswer<IpAddress> answer;
    ROOST_TRY(query(name, v6 ? kTypeAaaa : kTypeA, answer, [&](const uint8_t* p, size_t len) {
      if (len != (v6 ? 16u : 4u)) return false;
      IpAddress ip;
      ip.v6 = v6;
      std::copy(p, p + len, ip.bytes.begin());
      answer.records.push_back(ip);
      return true;
    }));
    return answer;
  }

  Result<DnsAnswer<std::string>> ptr(const IpAddress& ip) override {
    DnsAnswer<std::string> answer;
    ROOST_TRY(query(reverse_name(ip), kTypePtr, answer, [&](const uint8_t* p, size_t len) {
      std::string host;
      size_t pos = 0;
      if (!read_name(p, len, pos, host)) return false;
      answer.records.push_back(std::move(host));
      return true;
    }));
    return answer;
  }

 private:
  // The records of one query parsed by `parse` (one call per record's rdata).
  template <class T, class Parse>
  Status query(std::string_view name, int type, DnsAnswer<T>& answer, Parse parse) {
    auto raw = lookup(name, type);
    if (!raw) return raw.error();
    if (raw->nxdomain) {
      answer.nxdomain = true;
      return ok();
    }
    for (const std::string& rdata : raw->rdata) {
      if (!parse(reinterpret_cast<const uint8_t*>(rdata.data()), rdata.size())) {
        return make_error(ErrorKind::Temporary, "malformed DNS answer",
                          fmt::format("{} type {}", name, type));
      }
    }
    return ok();
  }

  // One query from the cache, else to its answer or the timeout. Several threads may wait at
  // once: one of them polls unbound's descriptor and runs ub_process() (which calls every
  // finished query's callback, under mu_); the others wait on cv_ until their own query is done.
  Result<RawDnsAnswer> lookup(std::string_view name, int type) {
    if (auto hit = cache_.find(type, name)) return std::move(*hit);
    std::string qname(name);
    Pending pending;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms_);
    std::unique_lock lock(mu_);
    int id = 0;
    int err = ub_resolve_async(ctx_, qname.c_str(), type, 1, &pending, on_result, &id);
    if (err != 0) return temporary(qname, ub_strerror(err));
    while (!pending.done) {
      auto now = std::chrono::steady_clock::now();
      if (now >= deadline) {
        ub_cancel(ctx_, id);
        return temporary(qname, "timed out");
      }
      auto slice = std::min(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now),
                            std::chrono::milliseconds(100));
      if (polling_) {
        cv_.wait_for(lock, slice);
        continue;
      }
      polling_ = true;
      lock.unlock();
      pollfd fd{ub_fd(ctx_), POLLIN, 0};
      poll(&fd, 1, static_cast<int>(slice.count()));
      lock.lock();
      ub_process(ctx_);
      polling_ = false;
      cv_.notify_all();
    }
    lock.unlock();
    std::unique_ptr<ub_result, void (*)(ub_result*)> result(pending.result, ub_resolve_free);
    if (pending.err != 0) return temporary(qname, ub_strerror(pending.err));
    RawDnsAnswer raw;
    if (result->rcode == kRcodeNxdomain || result->nxdomain) {
      raw.nxdomain = true;
    } else if (result->rcode != 0) {
      return temporary(qname, fmt::format("rcode {}", result->rcode));
    } else {
      for (int i = 0; result->havedata && result->data[i]; ++i) {
        raw.rdata.emplace_back(result->data[i], static_cast<size_t>(result->len[i]));
      }
    }
    cache_.put(type, qname, raw, result->ttl);
    return raw;
  }

  static Error temporary(const std::string& name, std::string_view why) {
    return make_error(ErrorKind::Temporary, fmt::format("DNS lookup of {} failed", name),
                      std::string(why));
  }

  ub_ctx* ctx_;
  uint32_t timeout_ms_;
  DnsCache cache_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool polling_ = false;
};

}  // namespace

Result<std::unique_ptr<Resolver>> make_unbound_resolver(const ResolverOptions& options) {
  ub_ctx* ctx = ub_ctx_create();
  if (!ctx) return make_error(ErrorKind::Internal, "cannot create a DNS resolver");
  auto resolver = std::make_unique<UnboundResolver>(ctx, options.timeout_ms);
  auto fail = [&](std::string_view what, int err) {
    return make_error(ErrorKind::Io, fmt::format("DNS resolver: {}: {}", what, ub_strerror(err)));
  };
  // Threads, not a forked helper process, for asynchronous queries.
  if (int err = ub_ctx_async(ctx, 1)) return fail("async mode", err);
  if (options.servers == "system") {
    if (int err = ub_ctx_resolvconf(ctx, nullptr)) return fail("reading /etc/resolv.conf", err);
  } else if (options.servers != "recursive") {
    // Forwarders on loopback (a local cache, a test server) are allowed, and they may answer
    // for the RFC 6761 testing names that unbound otherwise answers itself with NXDOMAIN.
    ub_ctx_set_option(ctx, "do-not-query-localhost:", "no");
    ub_ctx_set_option(ctx, "local-zone:", "test. transparent");
    size_t start = 0;
    while (start <= options.servers.size()) {
      size_t comma = options.servers.find(',', start);
      if (comma == std::string::npos) comma = options.servers.size();
      std::string server = options.servers.substr(start, comma - start);
      server.erase(0, server.find_first_not_of(' '));
      server.erase(server.find_last_not_of(' ') + 1);
      if (!server.empty()) {
        if (int err = ub_ctx_set_fwd(ctx, server.c_str())) return fail(server, err);
      }
      start = comma + 1;
    }
  }
  return std::unique_ptr<Resolver>(std::move(resolver));
}

}  // namespace roost::mailauth
