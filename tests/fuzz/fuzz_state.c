/* libFuzzer target for state.json's fast reader, differential: whatever
 * st_parse_fast accepts, jansson (st_parse_json) must accept too and read
 * the same record, field by field.  An input the fast reader gives up on
 * is jansson's alone, so it only has to be refused without a crash.
 * Built and run by tests/fuzz/run.sh. */
#include "../../runtime/state.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	struct st_record fast, slow;
	struct herr e = {0};

	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (st_parse_fast(buf, &fast) == 0) {
		if (st_parse_json(buf, &slow, &e) < 0 ||
		    !st_record_equal(&fast, &slow))
			abort(); /* the fast path read it differently */
		st_record_free(&slow);
		st_record_free(&fast);
	}
	free(buf);
	return 0;
}
