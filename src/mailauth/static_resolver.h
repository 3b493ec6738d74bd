// A Resolver answering from a table: for tests, and for records an administrator pins.
#pragma once

#include <map>
#include <set>
#include <string>

#include "mailauth/dns_resolver.h"

namespace roost::mailauth {

class StaticResolver final : public Resolver {
 public:
  void add_txt(std::string name, std::string text) { txt_[lower(name)].push_back(std::move(text)); }
  void add_mx(std::string name, uint16_t pref, std::string host) {
    mx_[lower(name)].push_back({pref, std::move(host)});
  }
  void add_address(std::string name, std::string_view ip);
  void add_ptr(std::string_view ip, std::string host);
  // Lookups of this name fail as a timeout would (ErrorKind::Temporary).
  void fail(std::string name) { failing_.insert(lower(name)); }

  Result<DnsAnswer<std::string>> txt(std::string_view name) override;
  Result<DnsAnswer<MxHost>> mx(std::string_view name) override;
  Result<DnsAnswer<IpAddress>> address(std::string_view name, bool v6) override;
  Result<DnsAnswer<std::string>> ptr(const IpAddress& ip) override;

 private:
  static std::string lower(std::string_view name);
  bool exists(const std::string& name) const;
  template <class T>
  Result<DnsAnswer<T>> answer(std::string_view name, const std::map<std::string, std::vector<T>>& table);

  std::map<std::string, std::vector<std::string>> txt_;
  std::map<std::string, std::vector<MxHost>> mx_;
  std::map<std::string, std::vector<IpAddress>> addresses_;
  std::map<std::string, std::vector<std::string>> ptr_;
  std::set<std::string> failing_;
};

}  // namespace roost::mailauth
