/* SPDX-License-Identifier: MIT */
/* Test inputs kept as files under tests/unit/data (DTBs dumped by QEMU). */
#ifndef TEST_DATA_H
#define TEST_DATA_H

#include <stddef.h>
#include <stdint.h>

struct blob {
	uint8_t *data;
	size_t size;
};

/* Reads tests/unit/data/NAME (tests run from the repository root); fails
 * the current test when it cannot.  The caller frees data. */
struct blob test_data_load(const char *name);

#endif /* TEST_DATA_H */
