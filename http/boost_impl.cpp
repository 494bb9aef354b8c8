// The one translation unit that holds Boost.Asio's and Boost.Beast's compiled code (with
// BOOST_*_SEPARATE_COMPILATION every other file includes declarations only).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
