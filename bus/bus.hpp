// Everything the bus offers: include this, or the one header you need.
#pragma once

#include "bus/broker_config.hpp"
#include "bus/consumer.hpp"
#include "bus/message.hpp"
#include "bus/publisher.hpp"
#include "bus/retry_and_dead_letter.hpp"
#include "bus/topology.hpp"
