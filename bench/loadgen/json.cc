#include "json.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace roost::bench {
namespace {

void dump_string(const std::string& s, std::string& out) {
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", c);
      out += esc;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

}  // namespace

Json& Json::set(std::string key, Json value) {
  auto* obj = std::get_if<Object>(&value_);
  if (obj == nullptr) throw std::logic_error("Json::set on a non-object");
  for (auto& [k, v] : *obj) {
    if (k == key) {
      v = std::move(value);
      return v;
    }
  }
  obj->emplace_back(std::move(key), std::move(value));
  return obj->back().second;
}

Json& Json::push(Json value) {
  auto* arr = std::get_if<Array>(&value_);
  if (arr == nullptr) throw std::logic_error("Json::push on a non-array");
  arr->push_back(std::move(value));
  return arr->back();
}

std::string Json::dump() const {
  std::string out;
  dump_to(out);
  return out;
}

void Json::dump_to(std::string& out) const {
  if (std::holds_alternative<std::nullptr_t>(value_)) {
    out += "null";
  } else if (auto* b = std::get_if<bool>(&value_)) {
    out += *b ? "true" : "false";
  } else if (auto* i = std::get_if<int64_t>(&value_)) {
    out += std::to_string(*i);
  } else if (auto* d = std::get_if<double>(&value_)) {
    if (!std::isfinite(*d)) {
      out += "null";
    } else {
      char num[32];
      std::snprintf(num, sizeof num, "%.6g", *d);
      out += num;
    }
  } else if (auto* s = std::get_if<std::string>(&value_)) {
    dump_string(*s, out);
  } else if (auto* a = std::get_if<Array>(&value_)) {
    out += '[';
    for (size_t n = 0; n < a->size(); ++n) {
      if (n > 0) out += ", ";
      (*a)[n].dump_to(out);
    }
    out += ']';
  } else if (auto* o = std::get_if<Object>(&value_)) {
    out += '{';
    for (size_t n = 0; n < o->size(); ++n) {
      if (n > 0) out += ", ";
      dump_string((*o)[n].first, out);
      out += ": ";
      (*o)[n].second.dump_to(out);
    }
    out += '}';
  }
}

}  // namespace roost::bench
