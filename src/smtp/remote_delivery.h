// RemoteDelivery: submission's OutboundQueue. It signs the message with the DKIM keys of its
// From: domain (`roost dkim generate`; none: unsigned), then hands it to queue::OutboundQueue,
// which has it on disk before the 250 and delivers, retries and bounces from there.
#pragma once

#include <string>

#include "base/clock.h"
#include "queue/outbound_queue.h"
#include "smtp/outbound_queue.h"
#include "store/store.h"

namespace roost::smtp {

class RemoteDelivery final : public OutboundQueue {
 public:
  // `dkim_dir`: where the signing keys live (<data_dir>/dkim); read for every message, so keys
  // made while the server runs are used at once.
  RemoteDelivery(queue::OutboundQueue& queue, store::Store& store, std::string dkim_dir,
                 const Clock& clock = Clock::system())
      : queue_(queue), store_(store), dkim_dir_(std::move(dkim_dir)), clock_(clock) {}

  Status enqueue(const OutboundMessage& message) override;
  Status report(const OutboundMessage& message, const std::vector<LocalOutcome>& outcomes) override;
  // The DKIM-Signature fields for `message`, with the keys of its From: domain or, failing
  // that, of the nearest parent domain that has keys (MAILER-DAEMON@mx.example.org signs as
  // example.org: aligned under DMARC's relaxed rule). "" when there are none. Blocking.
  std::string sign(std::string_view message) const;

 private:
  Result<std::string> account_name(store::AccountId id) const;

  queue::OutboundQueue& queue_;
  store::Store& store_;
  std::string dkim_dir_;
  const Clock& clock_;
};

}  // namespace roost::smtp
