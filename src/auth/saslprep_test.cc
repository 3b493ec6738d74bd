// SASLprep against the examples of RFC 4013 §3 and the cases SCRAM clients meet.
#include "auth/saslprep.h"

#include <gtest/gtest.h>

#include "auth/scram.h"

namespace roost::auth {
namespace {

std::string prep(std::string_view text) {
  auto out = saslprep(text);
  EXPECT_TRUE(out) << text;
  return out ? *out : std::string("<error>");
}

TEST(Saslprep, Rfc4013Examples) {
  EXPECT_EQ(prep("I\xC2\xAD"
                 "X"),
            "IX");                        // SOFT HYPHEN mapped to nothing
  EXPECT_EQ(prep("user"), "user");        // no transformation
  EXPECT_EQ(prep("USER"), "USER");        // case preserved
  EXPECT_EQ(prep("\xC2\xAA"), "a");       // FEMININE ORDINAL → NFKC "a"
  EXPECT_EQ(prep("\xE2\x85\xA8"), "IX");  // ROMAN NUMERAL NINE → "IX"
  EXPECT_FALSE(saslprep("\x07"));         // prohibited: control character
  EXPECT_FALSE(
      saslprep("\xD8\xA7"
               "1"));  // bidi: RandALCat not at both ends
}

TEST(Saslprep, NonAsciiSpaceBecomesSpaceAndAsciiIsUntouched) {
  EXPECT_EQ(prep("pass\xC2\xA0word"), "pass word");  // NO-BREAK SPACE → SPACE
  EXPECT_EQ(prep("correct horse battery staple!"), "correct horse battery staple!");
  EXPECT_EQ(prep("p\xC3\xA4ssw\xC3\xB6rd"), "p\xC3\xA4ssw\xC3\xB6rd");  // already NFKC
  EXPECT_EQ(prep("pa\xCC\x88ssword"), "p\xC3\xA4ssword");  // a + COMBINING DIAERESIS → ä
  EXPECT_FALSE(saslprep("bad\xFFutf8"));
}

TEST(Saslprep, ScramKeysDoNotDependOnTheUnicodeForm) {
  // Set with a decomposed "ä", used by a client that sends the composed form after SASLprep.
  auto stored = make_scram("pa\xCC\x88ss");
  ASSERT_TRUE(stored);
  EXPECT_EQ(*stored, derive_scram("p\xC3\xA4ss", stored->salt, stored->iterations));
  EXPECT_NE(*stored, derive_scram("pa\xCC\x88ss", stored->salt, stored->iterations));
}

}  // namespace
}  // namespace roost::auth
