// libFuzzer target for roost_mime: parse → serialize → deserialize must round-trip, part
// offsets must stay inside the input, and deserialize must survive arbitrary bytes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mime/message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);

  roost::mime::ParsedMessage m = roost::mime::parse(in);
  if (m.parts.empty()) std::abort();
  for (const auto& p : m.parts) {
    if (p.header_offset + p.header_size > size || p.body_offset + p.body_size > size) std::abort();
    if (p.body_offset != p.header_offset + p.header_size) std::abort();
  }
  auto back = roost::mime::deserialize(roost::mime::serialize(m));
  if (!back || !(*back == m)) std::abort();

  // Arbitrary bytes as a stored structure: reject or accept, and re-encode stably.
  auto stored = roost::mime::deserialize(in);
  if (stored) {
    auto again = roost::mime::deserialize(roost::mime::serialize(*stored));
    if (!again || !(*again == *stored)) std::abort();
  }
  return 0;
}
