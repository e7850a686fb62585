/* SPDX-License-Identifier: MIT */
/* Spec cases as tables: see spec_table.h. */
#include "spec_table.h"

#include <stdlib.h>

struct row_state {
	const struct spec_row *row;
	struct fake_platform *fp;
};

/* *state holds the row (cmocka's initial state); becomes a row_state. */
static int row_setup(void **state)
{
	const struct spec_row *row = *state;
	struct row_state *rs = malloc(sizeof(*rs));
	struct fake_platform *fp = malloc(sizeof(*fp));

	if (rs == NULL || fp == NULL)
		return -1;
	fp_init(fp, row->protected_vm);
	fp->cfg.features_set = row->features != 0;
	fp->cfg.features = row->features;
	if (fp_create(fp, NULL) != 0)
		return -1;
	fp->clock.valid = !row->no_clock;
	rs->row = row;
	rs->fp = fp;
	*state = rs;
	return 0;
}

static int row_teardown(void **state)
{
	struct row_state *rs = *state;

	fp_fini(rs->fp);
	free(rs->fp);
	free(rs);
	return 0;
}

static void row_run(void **state)
{
	const struct row_state *rs = *state;
	const struct spec_row *r = rs->row;

	fp_expect(rs->fp, r->in[0], r->in[1], r->in[2], r->in[3], r->out[0],
	          r->out[1], r->out[2], r->out[3]);
}

static void negative_row_run(void **state)
{
	const struct row_state *rs = *state;

	assert_true((int64_t)rs->row->out[0] < 0);
	row_run(state);
	assert_int_equal(rs->fp->nr_grant_calls + rs->fp->nr_revoke_calls, 0);
}

int spec_run_group(const char *group, const struct spec_row *cases,
                   size_t nr_cases, const struct spec_row *negative,
                   size_t nr_negative, const struct CMUnitTest *other,
                   size_t nr_other)
{
	struct CMUnitTest *tests =
	        calloc(nr_cases + nr_negative + nr_other, sizeof(*tests));
	size_t n = 0;
	int rc;

	if (tests == NULL)
		return 1;
	for (size_t i = 0; i < nr_cases; i++)
		tests[n++] =
		        (struct CMUnitTest){cases[i].name, row_run, row_setup,
		                            row_teardown, (void *)&cases[i]};
	for (size_t i = 0; i < nr_negative; i++)
		tests[n++] = (struct CMUnitTest){
		        negative[i].name, negative_row_run, row_setup,
		        row_teardown, (void *)&negative[i]};
	for (size_t i = 0; i < nr_other; i++)
		tests[n++] = other[i];
	rc = _cmocka_run_group_tests(group, tests, n, NULL, NULL);
	free(tests);
	return rc;
}
