#include "store/blob_store.h"

namespace roost::store {

Result<BlobRef> BlobStore::put(std::string_view bytes) {
  auto writer = begin();
  if (!writer) return writer.error();
  ROOST_TRY((*writer)->write(bytes));
  return (*writer)->commit();
}

std::vector<Result<std::shared_ptr<const MappedFile>>> BlobStore::read_many(
    const std::vector<std::string>& blob_ids) {
  std::vector<Result<std::shared_ptr<const MappedFile>>> out;
  out.reserve(blob_ids.size());
  for (const std::string& id : blob_ids) out.push_back(read(id));
  return out;
}

namespace {

class PutEachBatch final : public BlobBatch {
 public:
  explicit PutEachBatch(BlobStore& blobs) : blobs_(blobs) {}
  Result<BlobRef> add(std::string_view bytes) override { return blobs_.put(bytes); }
  Status sync() override { return ok(); }

 private:
  BlobStore& blobs_;
};

}  // namespace

Result<std::unique_ptr<BlobBatch>> BlobStore::begin_batch() {
  return std::unique_ptr<BlobBatch>(new PutEachBatch(*this));
}

}  // namespace roost::store
