// SPDX-License-Identifier: MIT
/*
 * The test guests' virtio-mmio driver: guest/include/guest/virtio.h.
 * One copy for attack-dma, virtio-neg and disk-rw; the register map is
 * include/vhyp/virtio_mmio.h's.
 */
#include <guest/virtio.h>
#include <lib/string.h>

static void dmb(void)
{
	__asm__ volatile("dmb ish" ::: "memory");
}

uint32_t rt_mmio_read(uint64_t base, unsigned reg)
{
	uint32_t v;

	__asm__ volatile("ldr %w0, [%1]"
	                 : "=r"(v)
	                 : "r"(base + reg)
	                 : "memory");
	return v;
}

void rt_mmio_write(uint64_t base, unsigned reg, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" ::"r"(v), "r"(base + reg) : "memory");
}

void rt_mmio_write64(uint64_t base, unsigned low, uint64_t v)
{
	rt_mmio_write(base, low, (uint32_t)v);
	rt_mmio_write(base, low + 4U, (uint32_t)(v >> 32));
}

bool rt_virtio_negotiate(uint64_t dev, uint32_t device_id, uint32_t want_lo,
                         uint32_t *offered_lo)
{
	const uint32_t driver =
	        VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
	uint32_t lo;

	if (rt_mmio_read(dev, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC ||
	    rt_mmio_read(dev, VIRTIO_MMIO_VERSION) !=
	            VIRTIO_MMIO_VERSION_MODERN ||
	    rt_mmio_read(dev, VIRTIO_MMIO_DEVICE_ID) != device_id)
		return false;
	rt_mmio_write(dev, VIRTIO_MMIO_STATUS, 0);
	rt_mmio_write(dev, VIRTIO_MMIO_STATUS, driver);
	rt_mmio_write(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	lo = rt_mmio_read(dev, VIRTIO_MMIO_DEVICE_FEATURES);
	if (offered_lo)
		*offered_lo = lo;
	rt_mmio_write(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	if ((rt_mmio_read(dev, VIRTIO_MMIO_DEVICE_FEATURES) &
	     RT_VIRTIO_FEATURES_HI) != RT_VIRTIO_FEATURES_HI)
		return false;
	rt_mmio_write(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	rt_mmio_write(dev, VIRTIO_MMIO_DRIVER_FEATURES, lo & want_lo);
	rt_mmio_write(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	rt_mmio_write(dev, VIRTIO_MMIO_DRIVER_FEATURES, RT_VIRTIO_FEATURES_HI);
	rt_mmio_write(dev, VIRTIO_MMIO_STATUS,
	              driver | VIRTIO_STATUS_FEATURES_OK);
	return (rt_mmio_read(dev, VIRTIO_MMIO_STATUS) &
	        VIRTIO_STATUS_FEATURES_OK) != 0;
}

bool rt_virtq_setup(struct rt_virtq *q, uint64_t dev, unsigned queue,
                    uint8_t *ring, uint64_t desc, uint64_t avail, uint64_t used)
{
	q->dev = dev;
	q->index = queue;
	q->ring = ring;
	q->desc = desc ? desc : (uintptr_t)ring;
	q->avail = avail ? avail : (uintptr_t)ring + RT_VQ_AVAIL_OFF;
	q->used = used ? used : (uintptr_t)ring + RT_VQ_USED_OFF;
	q->avail_idx = 0;
	q->used_seen = 0;
	memset(ring, 0, RT_VQ_PAGE);
	rt_mmio_write(dev, VIRTIO_MMIO_QUEUE_SEL, queue);
	if (rt_mmio_read(dev, VIRTIO_MMIO_QUEUE_NUM_MAX) < RT_VQ_SIZE)
		return false;
	rt_mmio_write(dev, VIRTIO_MMIO_QUEUE_NUM, RT_VQ_SIZE);
	rt_mmio_write64(dev, VIRTIO_MMIO_QUEUE_DESC_LOW, q->desc);
	rt_mmio_write64(dev, VIRTIO_MMIO_QUEUE_DRIVER_LOW, q->avail);
	rt_mmio_write64(dev, VIRTIO_MMIO_QUEUE_DEVICE_LOW, q->used);
	rt_mmio_write(dev, VIRTIO_MMIO_QUEUE_READY, 1);
	rt_mmio_write(dev, VIRTIO_MMIO_STATUS,
	              VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
	                      VIRTIO_STATUS_FEATURES_OK |
	                      VIRTIO_STATUS_DRIVER_OK);
	return true;
}

bool rt_virtq_init(struct rt_virtq *q, uint64_t dev, unsigned queue,
                   uint32_t device_id, uint8_t *ring, uint64_t desc,
                   uint64_t avail, uint64_t used)
{
	memset(ring, 0, RT_VQ_PAGE);
	if (!rt_virtio_negotiate(dev, device_id, 0, NULL))
		return false;
	return rt_virtq_setup(q, dev, queue, ring, desc, avail, used);
}

struct rt_virtq_desc *rt_virtq_descs(struct rt_virtq *q)
{
	return (struct rt_virtq_desc *)(void *)q->ring;
}

bool rt_virtq_submit(struct rt_virtq *q)
{
	volatile uint16_t *a =
	        (volatile uint16_t *)(void *)(q->ring + RT_VQ_AVAIL_OFF);
	volatile uint16_t *u =
	        (volatile uint16_t *)(void *)(q->ring + RT_VQ_USED_OFF);
	const unsigned idx = VIRTQ_RING_IDX_OFF / 2U;
	const unsigned ring = VIRTQ_RING_ENTRIES_OFF / 2U;

	a[ring + q->avail_idx % RT_VQ_SIZE] = 0;
	dmb();
	a[idx] = ++q->avail_idx;
	dmb();
	rt_mmio_write(q->dev, VIRTIO_MMIO_QUEUE_NOTIFY, q->index);
	dmb();
	if (u[idx] != (uint16_t)(q->used_seen + 1U))
		return false;
	q->used_seen++;
	rt_mmio_write(q->dev, VIRTIO_MMIO_INTERRUPT_ACK,
	              rt_mmio_read(q->dev, VIRTIO_MMIO_INTERRUPT_STATUS));
	return true;
}

uint8_t rt_blk_request(struct rt_virtq *q, uint32_t type, uint64_t sector,
                       uint64_t addr, uint32_t len)
{
	uint8_t *hdr = q->ring + RT_VQ_HDR_OFF;
	volatile uint8_t *status = q->ring + RT_VQ_STATUS_OFF;
	struct rt_virtq_desc *d = rt_virtq_descs(q);
	const uint16_t data_flags =
	        (uint16_t)(VIRTQ_DESC_F_NEXT |
	                   (type == VIRTIO_BLK_T_IN ? VIRTQ_DESC_F_WRITE : 0U));

	memset(hdr, 0, VIRTIO_BLK_HDR_SIZE);
	hdr[0] = (uint8_t)type;
	for (unsigned i = 0; i < 8; i++)
		hdr[8 + i] = (uint8_t)(sector >> (8 * i));
	*status = RT_BLK_NOT_DONE;
	d[0] = (struct rt_virtq_desc){(uintptr_t)hdr, VIRTIO_BLK_HDR_SIZE,
	                              VIRTQ_DESC_F_NEXT, len ? 1 : 2};
	if (len)
		d[1] = (struct rt_virtq_desc){addr, len, data_flags, 2};
	d[2] = (struct rt_virtq_desc){(uintptr_t)status, 1, VIRTQ_DESC_F_WRITE,
	                              0};
	if (!rt_virtq_submit(q))
		return RT_BLK_NOT_DONE;
	return *status;
}

uint64_t rt_blk_capacity(uint64_t dev)
{
	const unsigned cap = VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_CAPACITY;

	return rt_mmio_read(dev, cap) | (uint64_t)rt_mmio_read(dev, cap + 4U)
	                                        << 32;
}
