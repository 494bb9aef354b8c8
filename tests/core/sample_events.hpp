#pragma once
// Valid appeal.v1 values for the tests: one realistic event of every kind, from the channels'
// sample data. Tests change one thing at a time and look at what the codec says.

#include <string>
#include <vector>

#include "core/appeal.hpp"
#include "core/event.hpp"

namespace appealhub::core::testing {

// "2026-11-27T09:15:32+08:00" and the like, for readable test data; fails the test on a typo.
Timestamp at(const std::string& rfc3339);

// A 12328 complaint about a taxi, every field filled.
Appeal sample_appeal();

// One valid event of each kind, in the order of EventBody's alternatives.
std::vector<Event> one_of_each_event();

// The valid event of the named kind ("appeal.rated", …).
Event sample_event(const std::string& name);

}  // namespace appealhub::core::testing
