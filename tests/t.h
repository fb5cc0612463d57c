/* SPDX-License-Identifier: MIT */
/*
 * The smallest test harness that does the job: named cases in tables, one
 * exact expectation each, a summary line ctest and humans can read.
 *
 *   static void t_foo(void) { T_EQ(f(1), 2); }
 *   int main(void) { T_RUN(t_foo); return T_DONE(); }
 *
 * A failed expectation prints file:line and both values and marks the
 * case failed; the case goes on, so one run shows every failure.
 */
#ifndef DOEKIT_TESTS_T_H
#define DOEKIT_TESTS_T_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int t_failed_checks, t_cases, t_cases_failed;
static const char *t_case_name = "?";

#define T_FAIL_(fmt, ...)                                                                \
	do {                                                                             \
		t_failed_checks++;                                                       \
		fprintf(stderr, "%s:%d: %s: " fmt "\n", __FILE__, __LINE__, t_case_name, \
			__VA_ARGS__);                                                    \
	} while (0)

#define T_EQ(a, b)                                                                        \
	do {                                                                              \
		long long t_a_ = (long long)(a), t_b_ = (long long)(b);                   \
		if (t_a_ != t_b_)                                                         \
			T_FAIL_("%s == %s: got %lld, expected %lld", #a, #b, t_a_, t_b_); \
	} while (0)

#define T_NE(a, b)                                                                 \
	do {                                                                       \
		long long t_a_ = (long long)(a), t_b_ = (long long)(b);            \
		if (t_a_ == t_b_)                                                  \
			T_FAIL_("%s != %s: both are %lld", #a, #b, t_a_);          \
	} while (0)

#define T_TRUE(c)                                          \
	do {                                               \
		if (!(c))                                  \
			T_FAIL_("expected %s", #c);        \
	} while (0)

#define T_STREQ(a, b)                                                                   \
	do {                                                                            \
		const char *t_a_ = (a), *t_b_ = (b);                                    \
		if (!t_a_ || !t_b_ || strcmp(t_a_, t_b_))                               \
			T_FAIL_("%s == %s: got \"%s\", expected \"%s\"", #a, #b,         \
				t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)");          \
	} while (0)

/* substring: an error message must name what was wrong */
#define T_CONTAINS(hay, needle)                                                          \
	do {                                                                             \
		const char *t_h_ = (hay), *t_n_ = (needle);                              \
		if (!t_h_ || !strstr(t_h_, t_n_))                                        \
			T_FAIL_("\"%s\" should contain \"%s\"", t_h_ ? t_h_ : "(null)", t_n_); \
	} while (0)

#define T_MEMEQ(a, b, n)                                                 \
	do {                                                             \
		if (memcmp((a), (b), (n)))                               \
			T_FAIL_("%s and %s differ in %zu bytes", #a, #b, (size_t)(n)); \
	} while (0)

static inline void t_run(const char *name, void (*fn)(void))
{
	int before = t_failed_checks;

	t_case_name = name;
	t_cases++;
	fn();
	if (t_failed_checks != before) {
		t_cases_failed++;
		fprintf(stderr, "FAIL %s\n", name);
	}
}

#define T_RUN(fn) t_run(#fn, fn)

static inline int t_done(const char *prog)
{
	printf("%s: %d passed, %d failed\n", prog, t_cases - t_cases_failed, t_cases_failed);
	return t_cases_failed ? 1 : 0;
}

#define T_DONE() t_done(__FILE__)

#endif
