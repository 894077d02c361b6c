/*
 * pg_client_floor: the CPU a bare libpq client spends running a scrape's
 * queries, without HTTP, exposition or anything else an exporter does:
 * the floor under postgres-exporter's own CPU per scrape. Built and run by
 * tests/bench/pg_server_floor.sh (not part of the build; not a test).
 *
 * Usage: pg_client_floor CONNINFO N < queries   (one SQL statement a line)
 * Each query is prepared once, then run N times over: one after another
 * (PQexecPrepared, as the exporter does) and all at once in libpq's
 * pipeline mode (one send, one sync). Every value is looked at once.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define MAX_QUERIES 64

static double cpu_seconds(void)
{
	struct rusage r;

	getrusage(RUSAGE_SELF, &r);
	return (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
	       (double)(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

/* Looks at every value, as any exporter must; fails on an error result. */
static size_t consume(PGresult *r)
{
	size_t n = 0;

	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "query failed: %s", PQresultErrorMessage(r));
		exit(1);
	}
	for (int i = 0; i < PQntuples(r); i++)
		for (int j = 0; j < PQnfields(r); j++)
			n += (size_t)PQgetlength(r, i, j) + (PQgetvalue(r, i, j)[0] != 0);
	PQclear(r);
	return n;
}

static size_t run_sequential(PGconn *c, int nq)
{
	char name[16];
	size_t n = 0;

	for (int q = 0; q < nq; q++) {
		snprintf(name, sizeof(name), "q%d", q);
		n += consume(PQexecPrepared(c, name, 0, NULL, NULL, NULL, 0));
	}
	return n;
}

static size_t run_pipelined(PGconn *c, int nq)
{
	char name[16];
	size_t n = 0;
	PGresult *r;

	if (!PQenterPipelineMode(c))
		exit(1);
	for (int q = 0; q < nq; q++) {
		snprintf(name, sizeof(name), "q%d", q);
		if (!PQsendQueryPrepared(c, name, 0, NULL, NULL, NULL, 0))
			exit(1);
	}
	if (!PQpipelineSync(c))
		exit(1);
	for (int q = 0; q < nq; q++) {
		n += consume(PQgetResult(c));
		if ((r = PQgetResult(c)) != NULL)	/* the NULL that ends each query */
			exit(1);
	}
	r = PQgetResult(c);
	if (PQresultStatus(r) != PGRES_PIPELINE_SYNC)
		exit(1);
	PQclear(r);
	PQexitPipelineMode(c);
	return n;
}

int main(int argc, char **argv)
{
	static char line[1 << 16];
	char name[16];
	int nq = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: pg_client_floor CONNINFO N < queries\n");
		return 2;
	}
	char *end;
	long iterations = strtol(argv[2], &end, 10);
	if (*end || iterations < 1 || iterations > 1000000) {
		fprintf(stderr, "pg_client_floor: N must be 1 to 1000000, not '%s'\n", argv[2]);
		return 2;
	}
	PGconn *c = PQconnectdb(argv[1]);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "%s", PQerrorMessage(c));
		return 1;
	}
	while (nq < MAX_QUERIES && fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0])
			continue;
		snprintf(name, sizeof(name), "q%d", nq++);
		PGresult *r = PQprepare(c, name, line, 0, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			fprintf(stderr, "prepare failed: %s", PQresultErrorMessage(r));
			return 1;
		}
		PQclear(r);
	}
	size_t seen = run_sequential(c, nq) + run_pipelined(c, nq);	/* warm up */
	double t0 = cpu_seconds();
	for (long i = 0; i < iterations; i++)
		seen += run_sequential(c, nq);
	double t1 = cpu_seconds();
	for (long i = 0; i < iterations; i++)
		seen += run_pipelined(c, nq);
	double t2 = cpu_seconds();
	printf("%d queries, %ld runs (%zu bytes seen)\n", nq, iterations, seen);
	printf("  bare libpq client CPU per scrape, one query after another  %.3f ms\n",
	       (t1 - t0) * 1000 / iterations);
	printf("  bare libpq client CPU per scrape, pipelined                %.3f ms\n",
	       (t2 - t1) * 1000 / iterations);
	PQfinish(c);
	return 0;
}
