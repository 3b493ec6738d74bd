#include "store/blob_store.h"

namespace roost::store {

Result<BlobRef> BlobStore::put(std::string_view bytes) {
  auto writer = begin();
  if (!writer) return writer.error();
  ROOST_TRY((*writer)->write(bytes));
  return (*writer)->commit();
}

}  // namespace roost::store
