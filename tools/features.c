// SPDX-License-Identifier: MIT
/*
 * vhyp-features: the runner's check of a --features value, in the core's
 * own grammar (vhyp_features_parse, host-tested in tests/unit/
 * test_features.c), so that `./vhyp run --features` and the hypervisor's
 * vhyp.features= parameter cannot disagree.
 *
 *	vhyp-features LIST normal|protected
 *
 * Prints the bitmap ("0x9f") and exits 0, or prints one line saying why the
 * set is refused and exits 2:
 *   - a word that is not a feature name or the list is not a number;
 *   - bits vhyp does not implement;
 *   - bits outside the VM kind's default (the VMM may only narrow it; the
 *     hypervisor would refuse the VM);
 *   - a service bit without the FEATURES bit: a guest learns of every other
 *     service from the FEATURES call, so it would find none of them (a set
 *     of 0, every service hidden, is allowed).
 */
#include <core/vm.h>
#include <vhyp/kvm_vendor.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define NAMES "features, ptp, meminfo, share, unshare, mmio_guard"

/* Names the first word of a comma list that the core's parser refuses. */
static void explain_parse_error(const char *const whole)
{
	const char *list = whole;
	char word[64];
	uint64_t bit;

	if (*list == '\0') {
		printf("empty list (names: " NAMES "; or a number)\n");
		return;
	}
	for (;;) {
		size_t len = strcspn(list, ",");

		if (len >= sizeof(word)) {
			printf("unknown feature '%.*s...' (names: " NAMES
			       "; or a number)\n",
			       16, list);
			return;
		}
		memcpy(word, list, len);
		word[len] = '\0';
		if (len == 0) {
			printf("empty name in the list (names: " NAMES
			       "; or a number)\n");
			return;
		}
		if (!vhyp_features_parse(word, &bit)) {
			printf("unknown feature '%s' (names: " NAMES
			       "; or a number, e.g. 0x3)\n",
			       word);
			return;
		}
		if (list[len] == '\0')
			break;
		list += len + 1;
	}
	/* Each word is valid alone: a number mixed with names. */
	printf("cannot parse '%s' (names: " NAMES "; or one number)\n", whole);
}

int main(int argc, char **argv)
{
	uint64_t bits, allowed;
	int protected_vm;

	if (argc != 3 || (strcmp(argv[2], "normal") != 0 &&
	                  strcmp(argv[2], "protected") != 0)) {
		fprintf(stderr, "usage: vhyp-features LIST normal|protected\n");
		return 2;
	}
	protected_vm = strcmp(argv[2], "protected") == 0;
	allowed = protected_vm ? KVM_FEATURES_PROTECTED_DEFAULT
	                       : KVM_FEATURES_NORMAL_DEFAULT;
	if (!vhyp_features_parse(argv[1], &bits)) {
		explain_parse_error(argv[1]);
		return 2;
	}
	if ((bits & ~(uint64_t)KVM_FEATURES_IMPLEMENTED) != 0) {
		printf("0x%llx has bits vhyp does not implement (implemented: "
		       "0x%llx)\n",
		       (unsigned long long)bits,
		       (unsigned long long)KVM_FEATURES_IMPLEMENTED);
		return 2;
	}
	if ((bits & ~allowed) != 0) {
		printf("0x%llx is not a subset of the %s VM default 0x%llx%s\n",
		       (unsigned long long)bits,
		       protected_vm ? "protected" : "normal",
		       (unsigned long long)allowed,
		       protected_vm
		               ? ""
		               : " (protected-only calls need --protected)");
		return 2;
	}
	if (bits != 0 && (bits & KVM_FEAT_FEATURES) == 0) {
		printf("0x%llx lacks 'features' (0x%llx): the guest finds "
		       "every "
		       "other service through the FEATURES call, so it would "
		       "see none (add 'features', or use 0 to hide all)\n",
		       (unsigned long long)bits,
		       (unsigned long long)KVM_FEAT_FEATURES);
		return 2;
	}
	printf("0x%llx\n", (unsigned long long)bits);
	return 0;
}
