#pragma once
// Writes metadata images off the service loop. Taking the image (Metadata::PrepareImage)
// is a consistent in-memory copy made on the loop; compressing, writing and syncing it -
// most of the time a save takes - happens on a worker thread, so clients are served while
// metadata.mfs is written. One save at a time; the result comes back on the loop.

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "common/net/event_loop.h"
#include "common/status.h"
#include "common/image/image_file.h"

namespace elk::master {

class ImageSaver {
 public:
  using Done = std::function<void(const Status&)>;

  ImageSaver(net::EventLoop& loop, std::string data_path, uint32_t keep_backs)
      : loop_(loop), data_path_(std::move(data_path)), keep_backs_(keep_backs) {}
  ~ImageSaver() { Wait(); }
  ImageSaver(const ImageSaver&) = delete;
  ImageSaver& operator=(const ImageSaver&) = delete;

  // Starts writing img; `done` runs on the loop when it is written (or failed). False, and
  // nothing started, while an earlier save is still being written.
  bool Start(image::Image img, Done done);
  bool busy() const { return busy_.load(); }
  // Blocks until a save in progress is written (its `done` is dropped if the loop no
  // longer runs). Called before a clean stop writes the final image itself.
  void Wait();

 private:
  net::EventLoop& loop_;
  const std::string data_path_;
  const uint32_t keep_backs_;
  std::atomic<bool> busy_{false};
  std::thread worker_;
};

}  // namespace elk::master
