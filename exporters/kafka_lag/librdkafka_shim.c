/*
 * The librdkafka functions kafka-lag-exporter uses, loaded from
 * librdkafka.so.1 when the applet starts (common/dynlib.h says why). A
 * function missing here is a link error, since the binary does not link
 * librdkafka: add its line.
 */
#include "librdkafka_shim.h"

#include <string.h>

#include <librdkafka/rdkafka.h>

#include "dynlib.h"

typedef void (*rdkafka_log_cb)(const rd_kafka_t *rk, int level, const char *fac, const char *buf);

#define RDKAFKA_FUNCTIONS(X, XV) \
	X(rd_kafka_resp_err_t, rd_kafka_assign, (rd_kafka_t *rk, const rd_kafka_topic_partition_list_t *partitions), (rk, partitions)) \
	X(rd_kafka_resp_err_t, rd_kafka_committed, (rd_kafka_t *rk, rd_kafka_topic_partition_list_t *partitions, int timeout_ms), (rk, partitions, timeout_ms)) \
	XV(rd_kafka_conf_destroy, (rd_kafka_conf_t *conf), (conf)) \
	X(rd_kafka_conf_t *, rd_kafka_conf_dup, (const rd_kafka_conf_t *conf), (conf)) \
	X(rd_kafka_conf_t *, rd_kafka_conf_new, (void), ()) \
	X(rd_kafka_conf_res_t, rd_kafka_conf_set, (rd_kafka_conf_t *conf, const char *name, const char *value, char *errstr, size_t errstr_size), (conf, name, value, errstr, errstr_size)) \
	XV(rd_kafka_conf_set_log_cb, (rd_kafka_conf_t *conf, rdkafka_log_cb log_cb), (conf, log_cb)) \
	X(rd_kafka_resp_err_t, rd_kafka_consumer_close, (rd_kafka_t *rk), (rk)) \
	X(rd_kafka_message_t *, rd_kafka_consumer_poll, (rd_kafka_t *rk, int timeout_ms), (rk, timeout_ms)) \
	XV(rd_kafka_destroy, (rd_kafka_t *rk), (rk)) \
	X(const char *, rd_kafka_err2str, (rd_kafka_resp_err_t err), (err)) \
	XV(rd_kafka_group_list_destroy, (const struct rd_kafka_group_list *grplist), (grplist)) \
	X(rd_kafka_resp_err_t, rd_kafka_list_groups, (rd_kafka_t *rk, const char *group, const struct rd_kafka_group_list **grplistp, int timeout_ms), (rk, group, grplistp, timeout_ms)) \
	XV(rd_kafka_message_destroy, (rd_kafka_message_t *rkmessage), (rkmessage)) \
	X(int64_t, rd_kafka_message_timestamp, (const rd_kafka_message_t *rkmessage, rd_kafka_timestamp_type_t *tstype), (rkmessage, tstype)) \
	X(rd_kafka_resp_err_t, rd_kafka_metadata, (rd_kafka_t *rk, int all_topics, rd_kafka_topic_t *only_rkt, const struct rd_kafka_metadata **metadatap, int timeout_ms), (rk, all_topics, only_rkt, metadatap, timeout_ms)) \
	XV(rd_kafka_metadata_destroy, (const struct rd_kafka_metadata *metadata), (metadata)) \
	X(rd_kafka_t *, rd_kafka_new, (rd_kafka_type_t type, rd_kafka_conf_t *conf, char *errstr, size_t errstr_size), (type, conf, errstr, errstr_size)) \
	X(const char *, rd_kafka_topic_name, (const rd_kafka_topic_t *rkt), (rkt)) \
	X(rd_kafka_resp_err_t, rd_kafka_offsets_for_times, (rd_kafka_t *rk, rd_kafka_topic_partition_list_t *offsets, int timeout_ms), (rk, offsets, timeout_ms)) \
	X(rd_kafka_topic_partition_t *, rd_kafka_topic_partition_list_add, (rd_kafka_topic_partition_list_t *rktparlist, const char *topic, int32_t partition), (rktparlist, topic, partition)) \
	X(rd_kafka_topic_partition_list_t *, rd_kafka_topic_partition_list_copy, (const rd_kafka_topic_partition_list_t *src), (src)) \
	XV(rd_kafka_topic_partition_list_destroy, (rd_kafka_topic_partition_list_t *rkparlist), (rkparlist)) \
	X(rd_kafka_topic_partition_t *, rd_kafka_topic_partition_list_find, (const rd_kafka_topic_partition_list_t *rktparlist, const char *topic, int32_t partition), (rktparlist, topic, partition)) \
	X(rd_kafka_topic_partition_list_t *, rd_kafka_topic_partition_list_new, (int size), (size))

#define INDEX(ret, name, params, args) SYM_##name,
#define INDEX_V(name, params, args) SYM_##name,
enum { RDKAFKA_FUNCTIONS(INDEX, INDEX_V) SYM_COUNT };

#define NAME(ret, name, params, args) #name,
#define NAME_V(name, params, args) #name,
static const char *const names[SYM_COUNT] = { RDKAFKA_FUNCTIONS(NAME, NAME_V) };
static void *slots[SYM_COUNT];
static struct dynlib librdkafka = DYNLIB_INIT("librdkafka.so.1", names, slots, SYM_COUNT);

#define SHIM(ret, name, params, args) \
	ret name params { DYNLIB_FN(librdkafka, SYM_##name, name, fn); return fn args; }
#define SHIM_V(name, params, args) \
	void name params { DYNLIB_FN(librdkafka, SYM_##name, name, fn); fn args; }
RDKAFKA_FUNCTIONS(SHIM, SHIM_V)

const char *librdkafka_load(void)
{
	return dynlib_load(&librdkafka) == 0 ? NULL : librdkafka.error;
}
