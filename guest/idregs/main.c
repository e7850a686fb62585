// SPDX-License-Identifier: MIT
/*
 * ID-register guest: for every feature its ID registers advertise, one
 * instruction or register access of that feature at EL1 must complete
 * without an exception (vhyp either enables a feature at EL2 or hides it
 * from the ID registers: hyp/arch/aarch64/idregs.c).  A feature that is
 * not advertised is not tried.  Then the values vhyp must hide read as 0.
 *
 * Command line: expect_mte=1 (the run has --mte): MTE with tag memory
 * (ID_AA64PFR1_EL1.MTE >= 2) must be advertised.
 *
 * Encodings are written as .inst words so that the guest builds with any
 * assembler and -mcpu; the guest's own C code never touches FP/SIMD.
 */
#include <guest/rt.h>
#include <guest/tap.h>
#include <lib/fdt.h>

#define READ(reg)                                                              \
	({                                                                     \
		uint64_t v_;                                                   \
		__asm__ volatile("mrs %0, " #reg : "=r"(v_));                  \
		v_;                                                            \
	})

struct idregs {
	uint64_t pfr0, pfr1, dfr0, isar0, isar1, isar2, mmfr0, mmfr1, mmfr2,
	        mmfr3, zfr0, smfr0, pfr2, fpfr0, isar3, mmfr4, dfr1, afr0;
};

static struct idregs id;
static volatile uint64_t fault_esr;
static volatile bool faulted;
static uint64_t scratch[64] __attribute__((aligned(64)));

static bool catch_sync(struct rt_frame *f, enum rt_vector v)
{
	if (v != RT_VEC_SYNC)
		return false;
	faulted = true;
	fault_esr = f->esr;
	f->elr += 4;
	return true;
}

static unsigned fld(uint64_t reg, unsigned shift)
{
	return (unsigned)(reg >> shift) & 0xFU;
}

static void read_all(void)
{
	id.pfr0 = READ(s3_0_c0_c4_0);
	id.pfr1 = READ(s3_0_c0_c4_1);
	id.pfr2 = READ(s3_0_c0_c4_2);
	id.zfr0 = READ(s3_0_c0_c4_4);
	id.smfr0 = READ(s3_0_c0_c4_5);
	id.fpfr0 = READ(s3_0_c0_c4_7);
	id.dfr0 = READ(s3_0_c0_c5_0);
	id.dfr1 = READ(s3_0_c0_c5_1);
	id.afr0 = READ(s3_0_c0_c5_4);
	id.isar0 = READ(s3_0_c0_c6_0);
	id.isar1 = READ(s3_0_c0_c6_1);
	id.isar2 = READ(s3_0_c0_c6_2);
	id.isar3 = READ(s3_0_c0_c6_3);
	id.mmfr0 = READ(s3_0_c0_c7_0);
	id.mmfr1 = READ(s3_0_c0_c7_1);
	id.mmfr2 = READ(s3_0_c0_c7_2);
	id.mmfr3 = READ(s3_0_c0_c7_3);
	id.mmfr4 = READ(s3_0_c0_c7_4);
}

/*
 * One probe: x0 = x1 = x2 = scratch (a valid address), x3 = 0, then the
 * instruction(s).  Clobbers only general registers and flags.
 */
#define PROBE(body)                                                            \
	__asm__ volatile("mov x0, %0\n\tmov x1, %0\n\tmov x2, %0\n\t"          \
	                 "mov x3, xzr\n\t" body                                \
	                 :                                                     \
	                 : "r"(scratch)                                        \
	                 : "x0", "x1", "x2", "x3", "memory", "cc")

/* Each test function runs one probe. */
typedef void (*probe_fn)(void);

struct feature {
	const char *name;
	bool (*advertised)(void);
	probe_fn probe;
};

#define FEATURE(nm, cond, body)                                                \
	static bool adv_##nm(void)                                             \
	{                                                                      \
		return (cond);                                                 \
	}                                                                      \
	static void probe_##nm(void)                                           \
	{                                                                      \
		PROBE(body);                                                   \
	}

/* ---- the features ---- */
FEATURE(fp, fld(id.pfr0, 16) != 0xF, ".inst 0x9e6703e0")    /* fmov d0, xzr */
FEATURE(asimd, fld(id.pfr0, 20) != 0xF, ".inst 0x6f00e400") /* movi v0.2d, #0 */
FEATURE(sve, fld(id.pfr0, 32) != 0, ".inst 0x04bf5020")     /* rdvl x0, #1 */
FEATURE(sme, fld(id.pfr1, 24) != 0, ".inst 0x04bf5820")     /* rdsvl x0, #1 */
FEATURE(mte_insn, fld(id.pfr1, 8) >= 1, ".inst 0x9adf1020") /* irg x0, x1 */
FEATURE(mte_regs, fld(id.pfr1, 8) >= 2,
        "mrs x0, s3_0_c1_c0_6\n\tmsr s3_0_c1_c0_6, x0\n\t" /* GCR_EL1 */
        "mrs x0, s3_0_c1_c0_5\n\t"                         /* RGSR_EL1 */
        "mrs x0, s3_0_c5_c6_0\n\tmsr s3_0_c5_c6_0, xzr")   /* TFSR_EL1 */
FEATURE(mte_tags, fld(id.pfr1, 8) >= 2,
        ".inst 0xd9200840\n\t"                               /* stg x0, [x2] */
        ".inst 0xd9600040")                                  /* ldg x0, [x2] */
FEATURE(ssbs, fld(id.pfr1, 4) >= 1, ".inst 0xd503413f")      /* msr ssbs, #1 */
FEATURE(ssbs2, fld(id.pfr1, 4) >= 2, "mrs x0, s3_3_c4_c2_6") /* ssbs */
FEATURE(bti, fld(id.pfr1, 0) >= 1, ".inst 0xd503245f")       /* bti c */
FEATURE(dit, fld(id.pfr0, 48) >= 1, ".inst 0xd503415f")      /* msr dit, #1 */
FEATURE(ras, fld(id.pfr0, 28) >= 1, "mrs x0, s3_0_c5_c3_0")  /* ERRIDR */
FEATURE(gicv3, fld(id.pfr0, 24) >= 1, "mrs x0, s3_0_c12_c12_5") /* SRE */
FEATURE(pauth_a, fld(id.isar1, 4) || fld(id.isar1, 8) || fld(id.isar2, 12),
        ".inst 0xdac10020\n\t" /* pacia x0, x1 */
        ".inst 0xdac11020")    /* autia x0, x1 */
FEATURE(pauth_g, fld(id.isar1, 24) || fld(id.isar1, 28) || fld(id.isar2, 8),
        ".inst 0x9ac23020") /* pacga x0, x1, x2 */
FEATURE(rng, fld(id.isar0, 60) >= 1,
        "mrs x0, s3_3_c2_c4_0\n\tmrs x0, s3_3_c2_c4_1")    /* RNDR, RNDRRS */
FEATURE(lse, fld(id.isar0, 20) >= 2, ".inst 0xf8210040")   /* ldadd */
FEATURE(crc32, fld(id.isar0, 16) >= 1, ".inst 0x1ac14000") /* crc32b */
FEATURE(aes, fld(id.isar0, 4) >= 1, ".inst 0x4e284820")    /* aese */
FEATURE(pmull, fld(id.isar0, 4) >= 2,
        ".inst 0x0ee2e020") /* pmull v0.1q, v1.1d, v2.1d */
FEATURE(sha1, fld(id.isar0, 8) >= 1, ".inst 0x5e280820")    /* sha1h */
FEATURE(sha256, fld(id.isar0, 12) >= 1, ".inst 0x5e282820") /* sha256su0 */
FEATURE(sha512, fld(id.isar0, 12) >= 2,
        ".inst 0xcec08020") /* sha512su0 v0.2d, v1.2d */
FEATURE(sha3, fld(id.isar0, 32) >= 1, ".inst 0xce020c20")    /* eor3 */
FEATURE(sm3, fld(id.isar0, 36) >= 1, ".inst 0xce420c20")     /* sm3ss1 */
FEATURE(sm4, fld(id.isar0, 40) >= 1, ".inst 0xcec08420")     /* sm4e */
FEATURE(rdm, fld(id.isar0, 28) >= 1, ".inst 0x6e828420")     /* sqrdmlah */
FEATURE(dotprod, fld(id.isar0, 44) >= 1, ".inst 0x6e829420") /* udot */
FEATURE(fhm, fld(id.isar0, 48) >= 1, ".inst 0x0e22ec20")     /* fmlal */
FEATURE(flagm, fld(id.isar0, 52) >= 1, ".inst 0xd500401f")   /* cfinv */
FEATURE(flagm2, fld(id.isar0, 52) >= 2, ".inst 0xd500405f")  /* axflag */
FEATURE(tlbios, fld(id.isar0, 56) >= 1, ".inst 0xd508811f") /* tlbi vmalle1os */
FEATURE(tlbirange, fld(id.isar0, 56) >= 2,
        ".inst 0xd5088620") /* tlbi rvae1, x0 (x0 = 0 range) */
FEATURE(dpb, fld(id.isar1, 0) >= 1, ".inst 0xd50b7c20")     /* dc cvap, x0 */
FEATURE(dpb2, fld(id.isar1, 0) >= 2, ".inst 0xd50b7d20")    /* dc cvadp */
FEATURE(jscvt, fld(id.isar1, 12) >= 1, ".inst 0x1e7e0000")  /* fjcvtzs */
FEATURE(fcma, fld(id.isar1, 16) >= 1, ".inst 0x6e82e420")   /* fcadd */
FEATURE(lrcpc, fld(id.isar1, 20) >= 1, ".inst 0x38bfc040")  /* ldaprb */
FEATURE(lrcpc2, fld(id.isar1, 20) >= 2, ".inst 0x99400040") /* ldapur */
FEATURE(frintts, fld(id.isar1, 32) >= 1,
        ".inst 0x1e284020")                             /* frint32z s0, s1 */
FEATURE(sb, fld(id.isar1, 36) >= 1, ".inst 0xd50330ff") /* sb */
FEATURE(specres, fld(id.isar1, 40) >= 1, ".inst 0xd50b7380") /* cfp rctx, x0 */
FEATURE(bf16, fld(id.isar1, 44) >= 1, ".inst 0x6e42fc20")    /* bfdot */
FEATURE(dgh, fld(id.isar1, 48) >= 1, ".inst 0xd50320df")     /* dgh */
FEATURE(i8mm, fld(id.isar1, 52) >= 1, ".inst 0x4e82a420")    /* smmla */
FEATURE(xs, fld(id.isar1, 56) >= 1, ".inst 0xd508971f")  /* tlbi vmalle1nxs */
FEATURE(wfxt, fld(id.isar2, 0) >= 2, ".inst 0xd5031003") /* wfet x3 (=0) */
FEATURE(mops, fld(id.isar2, 16) >= 1,
        "mov x3, xzr\n\t"
        ".inst 0x19030440\n\t" /* cpyfp [x0]!, [x2]!, x3! */
        ".inst 0x19430440\n\t" /* cpyfm */
        ".inst 0x19830440")    /* cpyfe */
FEATURE(hbc, fld(id.isar2, 20) >= 1, ".inst 0x5400003e")    /* bc.al .+4 */
FEATURE(clrbhb, fld(id.isar2, 28) >= 1, ".inst 0xd50322df") /* clrbhb */
FEATURE(cssc, fld(id.isar2, 52) >= 1, ".inst 0xdac02020")   /* abs x0, x1 */
FEATURE(pmu, fld(id.dfr0, 8) >= 1 && fld(id.dfr0, 8) != 0xF,
        "mrs x0, pmcr_el0\n\tmrs x0, pmccntr_el0")
FEATURE(debug, fld(id.dfr0, 0) >= 6, "mrs x0, mdscr_el1\n\tmrs x0, dbgbcr0_el1")
FEATURE(doublelock, fld(id.dfr0, 36) == 0, "mrs x0, osdlr_el1")
FEATURE(lor, fld(id.mmfr1, 16) >= 1, "mrs x0, s3_0_c10_c4_7") /* LORID */
FEATURE(pan, fld(id.mmfr1, 20) >= 1,
        ".inst 0xd500419f\n\t"                            /* msr pan, #1 */
        ".inst 0xd500409f")                               /* msr pan, #0 */
FEATURE(pan2, fld(id.mmfr1, 20) >= 2, ".inst 0xd5087900") /* at s1e1rp, x0 */
FEATURE(uao, fld(id.mmfr2, 4) >= 1, ".inst 0xd500407f")   /* msr uao, #0 */
FEATURE(tcr2, fld(id.mmfr3, 0) >= 1,
        "mrs x0, s3_0_c2_c0_3\n\tmsr s3_0_c2_c0_3, x0") /* TCR2_EL1 */

#define F(nm)                                                                  \
	{                                                                      \
#nm, adv_##nm, probe_##nm                                      \
	}
static const struct feature features[] = {
        F(fp),       F(asimd),    F(sve),       F(sme),        F(mte_insn),
        F(mte_regs), F(mte_tags), F(ssbs),      F(ssbs2),      F(bti),
        F(dit),      F(ras),      F(gicv3),     F(pauth_a),    F(pauth_g),
        F(rng),      F(lse),      F(crc32),     F(aes),        F(pmull),
        F(sha1),     F(sha256),   F(sha512),    F(sha3),       F(sm3),
        F(sm4),      F(rdm),      F(dotprod),   F(fhm),        F(flagm),
        F(flagm2),   F(tlbios),   F(tlbirange), F(dpb),        F(dpb2),
        F(jscvt),    F(fcma),     F(lrcpc),     F(lrcpc2),     F(frintts),
        F(sb),       F(specres),  F(bf16),      F(dgh),        F(i8mm),
        F(xs),       F(wfxt),     F(mops),      F(hbc),        F(clrbhb),
        F(cssc),     F(pmu),      F(debug),     F(doublelock), F(lor),
        F(pan),      F(pan2),     F(uao),       F(tcr2),
};

/* FP, SVE and SME usable at EL1 (CPACR_EL1.FPEN/ZEN/SMEN = 0b11) and
 * tag access allowed (SCTLR_EL1.ATA, bit 43). */
static void enable_el1_controls(void)
{
	uint64_t cpacr = READ(cpacr_el1);
	uint64_t sctlr = READ(sctlr_el1);

	cpacr |= (3ULL << 20) | (3ULL << 16) | (3ULL << 24);
	__asm__ volatile("msr cpacr_el1, %0\n\tisb" : : "r"(cpacr));
	if (fld(id.pfr1, 8) >= 2) {
		sctlr |= 1ULL << 43;
		__asm__ volatile("msr sctlr_el1, %0\n\tisb" : : "r"(sctlr));
	}
}

static bool bootarg(const void *dtb, const char *word)
{
	struct fdt fdt;
	const char *p;
	uint32_t len;
	size_t wl = strlen(word);

	if (fdt_open(&fdt, dtb, FDT_MAX_SIZE) != 0)
		return false;
	p = (const char *)fdt_getprop(&fdt, fdt_path(&fdt, "/chosen"),
	                              "bootargs", &len);
	for (size_t i = 0; p != NULL && i + wl <= len; i++)
		if (memcmp(p + i, word, wl) == 0)
			return true;
	return false;
}

/* The emulated read lands in the register the instruction names, whatever
 * it is (the trap saves and restores x0..x30), and XZR discards it. */
static void target_register_case(void)
{
	uint64_t v0 = READ(s3_0_c0_c4_0), v18, v19, v28;

	__asm__ volatile("mrs x18, s3_0_c0_c4_0\n\tmov %0, x18"
	                 : "=r"(v18)
	                 :
	                 : "x18");
	__asm__ volatile("mrs x19, s3_0_c0_c4_0\n\tmov %0, x19"
	                 : "=r"(v19)
	                 :
	                 : "x19");
	__asm__ volatile("mrs x28, s3_0_c0_c4_0\n\tmov %0, x28"
	                 : "=r"(v28)
	                 :
	                 : "x28");
	__asm__ volatile("mrs xzr, s3_0_c0_c4_0" ::: "memory");
	rt_tap(v0 == v18 && v0 == v19 && v0 == v28,
	       "ID_AA64PFR0_EL1 read into x0, x18, x19, x28 and xzr: same "
	       "value everywhere");
}

static void hidden_cases(void)
{
	/* What vhyp hides (idregs.c), whatever the CPU has. */
	rt_tap(fld(id.pfr0, 8) == 0,
	       "ID_AA64PFR0_EL1.EL2 reads 0: the guest has no EL2 (0x%llx)",
	       (unsigned long long)id.pfr0);
	rt_tap(fld(id.pfr0, 44) == 0 && fld(id.pfr0, 40) == 0,
	       "ID_AA64PFR0_EL1: AMU and MPAM hidden");
	rt_tap(fld(id.dfr0, 32) == 0 && fld(id.dfr0, 4) == 0 &&
	               fld(id.dfr0, 44) == 0,
	       "ID_AA64DFR0_EL1: SPE, trace and TRBE hidden (0x%llx)",
	       (unsigned long long)id.dfr0);
	rt_tap(fld(id.mmfr0, 56) == 0 && fld(id.mmfr1, 8) == 0 &&
	               fld(id.mmfr1, 40) == 0 && fld(id.mmfr2, 24) == 0,
	       "FGT, VHE, HCX and NV (EL2 features) hidden");
	rt_tap(id.pfr2 == 0 && id.fpfr0 == 0 && id.isar3 == 0 &&
	               id.mmfr4 == 0 && id.dfr1 == 0 && id.afr0 == 0,
	       "registers vhyp does not vouch for read 0 (PFR2, FPFR0, "
	       "ISAR3, MMFR4, DFR1, AFR0)");
}

int main(const void *dtb)
{
	unsigned n = sizeof(features) / sizeof(features[0]), tried = 0;

	read_all();
	rt_printf("# idregs: PFR0 0x%llx PFR1 0x%llx DFR0 0x%llx\n",
	          (unsigned long long)id.pfr0, (unsigned long long)id.pfr1,
	          (unsigned long long)id.dfr0);
	rt_printf("# idregs: ISAR0 0x%llx ISAR1 0x%llx ISAR2 0x%llx\n",
	          (unsigned long long)id.isar0, (unsigned long long)id.isar1,
	          (unsigned long long)id.isar2);
	rt_printf("# idregs: MMFR0 0x%llx MMFR1 0x%llx MMFR2 0x%llx MMFR3 "
	          "0x%llx MIDR 0x%llx\n",
	          (unsigned long long)id.mmfr0, (unsigned long long)id.mmfr1,
	          (unsigned long long)id.mmfr2, (unsigned long long)id.mmfr3,
	          (unsigned long long)READ(midr_el1));
	enable_el1_controls();
	rt_set_exception_hook(catch_sync);
	for (unsigned i = 0; i < n; i++) {
		if (!features[i].advertised()) {
			rt_printf("# %s: not advertised, not tried\n",
			          features[i].name);
			continue;
		}
		faulted = false;
		features[i].probe();
		tried++;
		rt_tap(!faulted, "%s: advertised, works at EL1%s (ESR 0x%llx)",
		       features[i].name, faulted ? " NOT" : "",
		       faulted ? (unsigned long long)fault_esr : 0ULL);
	}
	rt_set_exception_hook(NULL);
	rt_tap(tried >= 10, "%u of %u features advertised and tried", tried, n);
	if (bootarg(dtb, "expect_mte=1"))
		rt_tap(fld(id.pfr1, 8) >= 2,
		       "--mte: MTE with tag memory advertised (PFR1.MTE %u)",
		       fld(id.pfr1, 8));
	target_register_case();
	hidden_cases();
	rt_tap_plan("idregs");
	return 0;
}
