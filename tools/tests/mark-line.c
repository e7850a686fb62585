// SPDX-License-Identifier: MIT
/*
 * Test helper for tools/tests/console-filter.sh: writes what the hypervisor
 * writes for one line of text, marked and tagged with a token
 * (include/vhyp/console_mark.h), without the final CR LF.
 *     mark-line TOKEN TEXT      the marked line
 *     mark-line --siphash-vector   SipHash-2-4 of "" with key 00..0f
 */
#include <stdio.h>
#include <string.h>

#include <vhyp/console_mark.h>

int main(int argc, char **argv)
{
	uint8_t key[VHYP_TOKEN_BYTES];
	struct vhyp_mac mac;

	if (argc == 2 && strcmp(argv[1], "--siphash-vector") == 0) {
		for (unsigned i = 0; i < VHYP_TOKEN_BYTES; i++)
			key[i] = (uint8_t)i;
		vhyp_mac_init(&mac, key);
		printf("%016llx\n", (unsigned long long)vhyp_mac_final(&mac));
		return 0;
	}
	if (argc != 3 || !vhyp_token_parse(argv[1], strlen(argv[1]), key)) {
		fprintf(stderr, "usage: mark-line TOKEN TEXT\n");
		return 2;
	}
	vhyp_mac_init(&mac, key);
	for (const char *p = argv[2]; *p; p++)
		vhyp_mac_byte(&mac, (uint8_t)*p);
	printf("%cvhyp%s:%s%c%016llx", VHYP_MARK_START, argv[1], argv[2],
	       VHYP_MARK_TAG_SEP, (unsigned long long)vhyp_mac_final(&mac));
	return 0;
}
