#include "bus/batch_loop.hpp"

#include <thread>

#include "core/log.hpp"
#include "core/pause.hpp"

namespace appealhub::bus {

void fill_batch(Consumer& consumer, std::vector<Delivery>& batch, std::size_t size,
                std::chrono::steady_clock::time_point until) {
  while (batch.size() < size) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    if (auto d = consumer.next(left)) batch.push_back(std::move(*d));
  }
}

void run_batch_loop(const BrokerConfig& broker, const BatchLoopOptions& options,
                    const std::atomic<bool>& stop,
                    const std::function<void(const std::vector<Delivery>&)>& apply,
                    const std::function<void()>& on_failure) {
  Consumer consumer(broker, options.queue, options.prefetch);
  std::vector<Delivery> batch;
  while (!stop.load()) {
    if (batch.empty()) {
      if (auto d = consumer.next(std::chrono::milliseconds(200))) batch.push_back(std::move(*d));
      continue;
    }
    fill_batch(consumer, batch, options.batch_size,
               std::chrono::steady_clock::now() + options.batch_wait);
    std::erase_if(batch, [&](const Delivery& d) { return d.generation != consumer.generation(); });
    if (batch.empty()) continue;
    try {
      apply(batch);
    } catch (const std::exception& e) {
      core::log_error(options.log_component, options.failure_message,
                      {{"queue", options.queue}, {"error", e.what()}});
      if (on_failure) on_failure();
      core::pause_unless_stopped(stop, std::chrono::seconds(1));
      continue;  // the same batch again (still unacked)
    }
    consumer.ack(batch.back(), true);
    batch.clear();
  }
}

}  // namespace appealhub::bus
