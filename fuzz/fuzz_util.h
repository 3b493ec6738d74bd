// What the libFuzzer targets share: a check that aborts (libFuzzer reports it as a crash with the
// input), and a small deterministic generator seeded from the input, so the piece sizes and
// options a target picks come from the input itself and seeds stay plain protocol text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#define FUZZ_CHECK(cond)       \
  do {                         \
    if (!(cond)) std::abort(); \
  } while (0)

namespace roost::fuzz {

struct Rng {
  uint32_t state;
  uint32_t next() {
    state = state * 1664525u + 1013904223u;  // LCG (Numerical Recipes)
    return state >> 8;
  }
};

// An Rng seeded with the FNV-1a hash of the input.
inline Rng rng_for(const uint8_t* data, size_t size) {
  uint32_t hash = 2166136261u;
  for (size_t i = 0; i < size; ++i) hash = (hash ^ data[i]) * 16777619u;
  return Rng{hash};
}

}  // namespace roost::fuzz
