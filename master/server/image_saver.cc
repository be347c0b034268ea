#include "master/server/image_saver.h"

#include <chrono>

#include "common/log/log.h"

namespace elk::master {

bool ImageSaver::Start(image::Image img, Done done) {
  if (busy_.exchange(true)) return false;
  if (worker_.joinable()) worker_.join();  // the previous save, finished
  worker_ = std::thread([this, img = std::move(img), done = std::move(done)]() mutable {
    const auto start = std::chrono::steady_clock::now();
    Status s = image::Save(data_path_, img, keep_backs_);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    if (s.ok()) {
      log::Info("metadata image saved at version {} ({} ms in the background)", img.version, ms);
    }
    img = {};  // free the copy before the loop hears of it
    busy_.store(false);
    loop_.Post([done = std::move(done), s] { done(s); });
  });
  return true;
}

void ImageSaver::Wait() {
  if (worker_.joinable()) worker_.join();
}

}  // namespace elk::master
