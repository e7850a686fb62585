// SPDX-License-Identifier: MIT
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "test_data.h"

struct blob test_data_load(const char *name)
{
	char path[256];
	struct blob b = {NULL, 0};
	FILE *fp;
	long len;

	snprintf(path, sizeof(path), "tests/unit/data/%s", name);
	fp = fopen(path, "rb");
	if (fp == NULL)
		fail_msg("cannot open %s (run from the repository root)", path);
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	b.data = malloc((size_t)len);
	assert_non_null(b.data);
	assert_int_equal(fread(b.data, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	b.size = (size_t)len;
	return b;
}
