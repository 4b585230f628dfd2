#include "event_committer.h"

namespace ecotone::server {

EventCommitter::EventCommitter(store::Store* store, size_t max_group)
    : store_(store), max_group_(max_group) {
  thread_ = std::thread([this] { Run(); });
}

EventCommitter::~EventCommitter() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  work_.notify_all();
  thread_.join();
}

Result<std::vector<int64_t>> EventCommitter::Commit(
    std::vector<store::EventRecord> records) {
  Request req;
  req.records = std::move(records);
  std::unique_lock<std::mutex> l(mu_);
  queue_.push_back(&req);
  work_.notify_one();
  done_.wait(l, [&] { return req.done; });
  return std::move(req.result);
}

void EventCommitter::Run() {
  for (;;) {
    std::vector<Request*> group;
    {
      std::unique_lock<std::mutex> l(mu_);
      work_.wait(l, [&] { return stop_ || !queue_.empty(); });
      // Requests still queued at stop are committed before the thread ends
      // (workers are blocked on them).
      if (queue_.empty()) return;
      size_t n = 0;
      while (
          !queue_.empty() &&
          (group.empty() || n + queue_.front()->records.size() <= max_group_)) {
        n += queue_.front()->records.size();
        group.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    std::vector<store::EventRecord> all;
    for (Request* r : group)
      all.insert(all.end(), r->records.begin(), r->records.end());
    auto ids = store_->AppendEvents(all);
    if (ids.ok()) {
      size_t k = 0;
      for (Request* r : group) {
        r->result = std::vector<int64_t>(ids->begin() + k,
                                         ids->begin() + k + r->records.size());
        k += r->records.size();
      }
    } else if (group.size() == 1) {
      group[0]->result = ids.status();
    } else {
      for (Request* r : group) r->result = store_->AppendEvents(r->records);
    }
    {
      std::lock_guard<std::mutex> l(mu_);
      for (Request* r : group) r->done = true;
    }
    done_.notify_all();
  }
}

}  // namespace ecotone::server
