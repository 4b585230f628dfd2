// Group commit of events: HTTP workers hand their request's events to
// Commit() and block; one committer thread stores everything that is
// waiting in a single transaction (store::Store::AppendEvents, one fsync),
// then wakes the workers with their ids. Under load, one durable commit
// acknowledges many requests; alone, a request waits for one commit as
// before. Each request's events stay atomic: when a group fails (e.g. one
// request has an event the store refuses), every request of the group is
// retried in its own transaction, so one bad request fails alone.
// Thread-safe: Commit may be called from any number of threads.
#ifndef ECOTONE_SERVER_EVENT_COMMITTER_H_
#define ECOTONE_SERVER_EVENT_COMMITTER_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "ecotone/store/store.h"

namespace ecotone::server {

class EventCommitter {
 public:
  // `store` is not owned and must outlive the committer. At most
  // `max_group` events go into one transaction.
  explicit EventCommitter(store::Store* store, size_t max_group = 4096);
  ~EventCommitter();
  EventCommitter(const EventCommitter&) = delete;
  EventCommitter& operator=(const EventCommitter&) = delete;

  // Stores `records` atomically (all or none) and returns their ids, once
  // durable. Errors as store::Store::AppendEvents.
  Result<std::vector<int64_t>> Commit(std::vector<store::EventRecord> records);

 private:
  struct Request {
    std::vector<store::EventRecord> records;
    bool done = false;
    Result<std::vector<int64_t>> result = Status::Internal("not committed");
  };
  void Run();

  store::Store* const store_;
  const size_t max_group_;
  std::mutex mu_;
  std::condition_variable work_;  // the committer waits for requests.
  std::condition_variable done_;  // workers wait for their request.
  std::deque<Request*> queue_;    // GUARDED_BY(mu_)
  bool stop_ = false;             // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace ecotone::server

#endif  // ECOTONE_SERVER_EVENT_COMMITTER_H_
