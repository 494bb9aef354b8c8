#pragma once
// The delivery of answers as a part of the `appealhub` executable (`appealhub deliver`, and in
// `appealhub run`): for every channel in delivery.channels, its reply queue into the ledger; for
// every channel with a sender configured (mailbox.base_url, petition.base_url), the sender loop;
// and the router.delivery consumer that applies the outcomes to the tickets. The operator channel
// has no sender: its replies wait in the ledger for the operators' callbacks (the gateway).

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "adapters/delivery/delivery_loop.hpp"
#include "adapters/delivery/reply_intake.hpp"
#include "adapters/hotline12328/result_sender.hpp"
#include "bus/broker_config.hpp"
#include "config/app_config.hpp"
#include "router/delivery_consumer.hpp"
#include "storage/database.hpp"
#include "storage/reply_ledger.hpp"

namespace appealhub::app {

// The channel ids of delivery.channels; throws std::invalid_argument for one that is not a word
// of [a-z0-9-].
std::vector<std::string> delivery_channels(const adapters::delivery::DeliveryOptions& options);

struct DeliveryParts {
  std::vector<std::unique_ptr<adapters::delivery::ReplyIntake>> intakes;
  std::vector<std::unique_ptr<adapters::delivery::DeliveryLoop>> senders;
  // The 12328 result files (hotline12328.import_dir set): replies go in files, not one by one.
  std::unique_ptr<adapters::hotline12328::ResultSender> result_files;
  std::unique_ptr<router::DeliveryConsumer> outcomes;
  std::vector<std::string> sending;  // channels with a sender
};

// `broker` gives the broker settings for a connection name. Throws std::invalid_argument for a
// configured sender whose secret is missing.
std::unique_ptr<DeliveryParts> make_delivery_parts(
    const config::AppConfig& config, const std::function<bus::BrokerConfig(std::string)>& broker,
    storage::DatabaseConfig database);

}  // namespace appealhub::app
