#include "mailauth/static_resolver.h"

#include "mailauth/text.h"

namespace roost::mailauth {

std::string StaticResolver::lower(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return ascii_lower(name);
}

void StaticResolver::add_address(std::string name, std::string_view ip) {
  addresses_[lower(name)].push_back(IpAddress::parse(ip).value());
}

void StaticResolver::add_ptr(std::string_view ip, std::string host) {
  ptr_[reverse_name(IpAddress::parse(ip).value())].push_back(std::move(host));
}

bool StaticResolver::exists(const std::string& name) const {
  return txt_.count(name) || mx_.count(name) || addresses_.count(name) || ptr_.count(name);
}

template <class T>
Result<DnsAnswer<T>> StaticResolver::answer(std::string_view name,
                                            const std::map<std::string, std::vector<T>>& table) {
  std::string key = lower(name);
  if (failing_.count(key)) return make_error(ErrorKind::Temporary, "DNS lookup timed out", key);
  DnsAnswer<T> out;
  if (auto it = table.find(key); it != table.end()) {
    out.records = it->second;
  } else {
    out.nxdomain = !exists(key);
  }
  return out;
}

Result<DnsAnswer<std::string>> StaticResolver::txt(std::string_view name) {
  return answer(name, txt_);
}

Result<DnsAnswer<MxHost>> StaticResolver::mx(std::string_view name) { return answer(name, mx_); }

Result<DnsAnswer<IpAddress>> StaticResolver::address(std::string_view name, bool v6) {
  auto all = answer(name, addresses_);
  if (!all) return all;
  std::erase_if(all->records, [&](const IpAddress& ip) { return ip.v6 != v6; });
  return all;
}

Result<DnsAnswer<std::string>> StaticResolver::ptr(const IpAddress& ip) {
  return answer(reverse_name(ip), ptr_);
}

}  // namespace roost::mailauth
