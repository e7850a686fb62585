// SPDX-License-Identifier: MIT
/*
 * Host micro-benchmark of the core, meant to run under callgrind with
 * --toggle-collect=vhyp_smccc_call so that only instructions executed inside
 * the core's entry point (and what it calls) are counted.
 *
 *   core_bench call NAME N      N back-to-back calls of one kind
 *   core_bench share SIZE_MIB   share then unshare every granule of a
 *                               protected VM's SIZE_MIB of RAM
 *   core_bench tables SIZE_MIB  page-table bytes for SIZE_MIB of RAM (normal
 *                               VM, block mappings); printed, not measured
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <core/dispatch.h>
#include <core/stage2.h>
#include <core/vm.h>
#include <vhyp/board.h>
#include <vhyp/kvm_vendor.h>
#include <vhyp/smccc.h>

#define RAM_IPA   0x40000000ULL
#define GUARD_IPA VHYP_BOARD_UART_BASE

static uint64_t fake_count;
static struct vhyp_clock bench_clock = {
        .anchor_ns = 1700000000ULL * 1000000000ULL,
        .anchor_cnt = 0,
        .freq_hz = 62500000,
        .valid = true,
};

static uint64_t read_cntpct(void *ctx)
{
	(void)ctx;
	return ++fake_count;
}

static void host_noop(void *ctx, uint64_t pa)
{
	(void)ctx;
	(void)pa;
}

static const struct vhyp_ops bench_ops = {
        .read_cntpct = read_cntpct,
        .host_grant = host_noop,
        .host_revoke = host_noop,
};

static void tlbi_noop(void *ctx, uint16_t vmid, uint64_t ipa, uint64_t size)
{
	(void)ctx;
	(void)vmid;
	(void)ipa;
	(void)size;
}

static void sync_noop(void *ctx)
{
	(void)ctx;
}

static const struct s2_mmu_ops bench_mmu = {
        .tlbi_range = tlbi_noop,
        .sync_tables = sync_noop,
};

static struct s2_pool pool;

static void make_vm(struct vhyp_vm *vm, int protected_vm, uint64_t ram_size)
{
	struct vhyp_vm_config cfg;
	const char *err = "";
	/* Enough for RAM mapped entirely with 4 KiB pages, plus slack. */
	size_t pages = (size_t)(ram_size / S2_LEVEL2_BLOCK) + 64;
	void *mem = aligned_alloc(S2_GRANULE_SIZE, pages * S2_GRANULE_SIZE);

	if (mem == NULL) {
		fprintf(stderr, "core_bench: out of memory\n");
		exit(1);
	}
	s2_pool_init(&pool, mem, (uint64_t)(uintptr_t)mem, pages);
	memset(&cfg, 0, sizeof(cfg));
	cfg.protected_vm = protected_vm != 0;
	cfg.ram[0] = (struct vhyp_mem_range){RAM_IPA, RAM_IPA, ram_size};
	cfg.nr_ram = 1;
	cfg.vmid = 1;
	if (vhyp_vm_create(vm, &cfg, &pool, &bench_mmu, NULL, &bench_ops, NULL,
	                   &bench_clock, &err) != 0) {
		fprintf(stderr, "core_bench: VM creation failed: %s\n", err);
		exit(1);
	}
}

struct call_kind {
	const char *name;
	uint64_t x0, x1;
	int protected_vm;
};

static const struct call_kind kinds[] = {
        {"unknown", 0x86000005ULL, 0, 0},
        {"version", SMCCC_VERSION_FUNC_ID, 0, 0},
        {"uid", KVM_VENDOR_CALL_UID_FUNC_ID, 0, 0},
        {"features", KVM_VENDOR_FEATURES_FUNC_ID, 0, 0},
        {"ptp", KVM_VENDOR_PTP_FUNC_ID, KVM_PTP_VIRT_COUNTER, 0},
        {"meminfo", KVM_VENDOR_HYP_MEMINFO_FUNC_ID, 0, 1},
        {"mmio_guard", KVM_VENDOR_MMIO_GUARD_FUNC_ID, GUARD_IPA, 1},
        /* share and unshare are measured in pairs, see bench_share_pair. */
};

static void bench_call(const char *name, long n)
{
	struct vhyp_vm vm;
	uint64_t x[18];

	if (strcmp(name, "share") == 0 || strcmp(name, "unshare") == 0) {
		/* SHARE and UNSHARE alternate on one granule; callgrind's
		 * per-function split is done by the caller with n pairs. */
		make_vm(&vm, 1, S2_LEVEL2_BLOCK);
		for (long i = 0; i < n; i++) {
			memset(x, 0, sizeof(x));
			x[0] = KVM_VENDOR_MEM_SHARE_FUNC_ID;
			x[1] = RAM_IPA;
			vhyp_smccc_call(&vm, NULL, x);
			memset(x, 0, sizeof(x));
			x[0] = KVM_VENDOR_MEM_UNSHARE_FUNC_ID;
			x[1] = RAM_IPA;
			vhyp_smccc_call(&vm, NULL, x);
			if (x[0] != 0) {
				fprintf(stderr, "core_bench: unshare failed\n");
				exit(1);
			}
		}
		return;
	}
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		if (strcmp(kinds[k].name, name) != 0)
			continue;
		make_vm(&vm, kinds[k].protected_vm, S2_LEVEL2_BLOCK);
		for (long i = 0; i < n; i++) {
			memset(x, 0, sizeof(x));
			x[0] = kinds[k].x0;
			x[1] = kinds[k].x1;
			vhyp_smccc_call(&vm, NULL, x);
		}
		return;
	}
	fprintf(stderr, "core_bench: unknown call '%s'\n", name);
	exit(2);
}

static void bench_share_range(uint64_t mib)
{
	struct vhyp_vm vm;
	uint64_t size = mib << 20, x[18];

	make_vm(&vm, 1, size);
	for (uint64_t off = 0; off < size; off += S2_GRANULE_SIZE) {
		memset(x, 0, sizeof(x));
		x[0] = KVM_VENDOR_MEM_SHARE_FUNC_ID;
		x[1] = RAM_IPA + off;
		vhyp_smccc_call(&vm, NULL, x);
		if (x[0] != 0) {
			fprintf(stderr, "core_bench: share failed at %llx\n",
			        (unsigned long long)off);
			exit(1);
		}
	}
	for (uint64_t off = 0; off < size; off += S2_GRANULE_SIZE) {
		memset(x, 0, sizeof(x));
		x[0] = KVM_VENDOR_MEM_UNSHARE_FUNC_ID;
		x[1] = RAM_IPA + off;
		vhyp_smccc_call(&vm, NULL, x);
		if (x[0] != 0) {
			fprintf(stderr, "core_bench: unshare failed\n");
			exit(1);
		}
	}
}

static void report_tables(uint64_t mib)
{
	struct vhyp_vm vm;

	make_vm(&vm, 0, mib << 20);
	size_t used = pool.nr_pages - s2_pool_free_pages(&pool);
	printf("tables_bytes %zu\n", used * (size_t)S2_GRANULE_SIZE);
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "call") == 0) {
		bench_call(argv[2], strtol(argv[3], NULL, 0));
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "share") == 0) {
		bench_share_range(strtoull(argv[2], NULL, 0));
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "tables") == 0) {
		report_tables(strtoull(argv[2], NULL, 0));
		return 0;
	}
	fprintf(stderr,
	        "usage: core_bench call NAME N | share MIB | tables MIB\n");
	return 2;
}
