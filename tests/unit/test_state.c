/* Unit tests for runtime/state.c's two state.json readers: the fast path
 * must read what st_write writes, and for every other input either give up
 * or agree with jansson (st_parse_json), field by field. */
#include "../../runtime/state.h"
#include "unit.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

/* What st_write writes, read back by the fast path. */
static void test_round_trip(void)
{
	char dir[] = "/tmp/husk-test-state.XXXXXX";
	struct cg_kv ann[] = {
	    {"org.opencontainers.image.title", "a \"quoted\" \\ title\n"},
	    {"run.oci.husk.init", "1"},
	};
	struct st_record w = {
	    .oci_version = "1.2.1",
	    .id = "c1",
	    .pid = 4242,
	    .start_time = 1234567890123ULL,
	    .bundle = "/work/bundle with space",
	    .rootfs = "/work/bundle with space/rootfs",
	    .created = "2026-11-23T22:33:20.023157076Z",
	    .owner = 1000,
	    .cgroup = "2::/husk-test/c1",
	    .pid_ns = 4026531836ULL,
	    .annotations = ann,
	    .nannotations = 2,
	    .detached = true,
	};
	struct st_record fast, slow;
	struct herr e;
	char *buf;
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	CHECK(st_write(fd, &w, &e) == 0);
	buf = base_read_file_at(fd, "state.json", NULL);
	CHECK(buf != NULL);
	CHECK(st_parse_fast(buf, &fast) == 0);
	CHECK(st_parse_json(buf, &slow, &e) == 0);
	CHECK(st_record_equal(&fast, &slow));
	CHECK(st_record_equal(&fast, &w));
	CHECK_STR(fast.annotations[0].value, "a \"quoted\" \\ title\n");
	st_record_free(&fast);
	st_record_free(&slow);
	free(buf);
	unlinkat(fd, "state.json", 0);
	close(fd);
	rmdir(dir);
}

/* Inputs the fast path must give up on (jansson decides), and inputs where
 * it may answer but then must agree with jansson. */
static void test_against_jansson(void)
{
	static const char *const give_up[] = {
	    "",
	    "[]",
	    "{\"id\":\"a\\u0041\"}",	      /* \u escape */
	    "{\"id\":\"\xc3\xa9\"}",	      /* not ASCII */
	    "{\"id\":\"\xff\"}",		      /* not UTF-8 either */
	    "{\"pid\":1.5}",		      /* float */
	    "{\"pid\":1e3}",		      /* exponent */
	    "{\"pid\":007}",		      /* leading zero */
	    "{\"pid\":99999999999999999999}", /* out of range */
	    "{\"pid\":\"1\"}",		      /* wrong type */
	    "{\"id\":1}",
	    "{\"id\":null}",
	    "{\"detached\":1}",
	    "{\"detached\":truex}",
	    "{\"x\":1}",		    /* a key this version does not write */
	    "{\"annotations\":[]}",
	    "{\"annotations\":{\"a\":1}}",
	    "{\"annotations\":{\"a\":\"1\",\"a\":\"2\"}}",
	    "{\"annotations\":{},\"annotations\":{}}",
	    "{\"id\":\"a\",}",
	    "{\"id\":\"a\"} x",
	    "{\"id\":\"a\"",
	    "{\"id\":\"a",
	    "{\"id\":\"a\\",
	    "{\"id\":\"a\\q\"}",
	    "{\"id\":\"a\tb\"}",		/* raw control character */
	    "{\"id\" \"a\"}",
	    "{\"id\":\"a\" \"b\":\"c\"}",
	};
	static const char *const answer[] = {
	    "{}",
	    " { } \n",
	    "{\"id\":\"x\",\"id\":\"y\",\"pid\":-1,\"owner\":0}",
	    "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"pid\":12,"
	    "\"startTime\":99,\"bundle\":\"/b\",\"rootfs\":\"/b/r\","
	    "\"created\":\"t\",\"owner\":0,\"cgroup\":\"\",\"detached\":false,"
	    "\"pidNamespace\":0,\"annotations\":{}}",
	    "{\"id\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}",
	    "{ \"annotations\" : { \"k\" : \"v\" , \"k2\" : \"\" } }",
	};
	struct st_record fast, slow;
	struct herr e;

	for (size_t i = 0; i < sizeof(give_up) / sizeof(give_up[0]); i++) {
		bool gave_up = st_parse_fast(give_up[i], &fast) < 0;

		CHECK(gave_up);
		if (!gave_up) {
			fprintf(stderr, "  fast path answered: %s\n",
				give_up[i]);
			st_record_free(&fast);
		}
		/* And st_read's caller still gets jansson's answer. */
		if (st_parse_json(give_up[i], &slow, &e) == 0)
			st_record_free(&slow);
	}
	for (size_t i = 0; i < sizeof(answer) / sizeof(answer[0]); i++) {
		CHECK(st_parse_fast(answer[i], &fast) == 0);
		CHECK(st_parse_json(answer[i], &slow, &e) == 0);
		CHECK(st_record_equal(&fast, &slow));
		st_record_free(&fast);
		st_record_free(&slow);
	}
}

int main(void)
{
	test_round_trip();
	test_against_jansson();
	return unit_done("test_state");
}
