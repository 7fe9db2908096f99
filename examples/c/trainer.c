/* trainer.c - Pace quick start: the learning rate of a training loop.
 * Build: cc examples/c/trainer.c $(pkg-config --cflags --libs pace)   */
#include <pace.h>
#include <stdio.h>

int main(void) {
  const char *spec = "{\"preset\":\"cosine\",\"peak\":3e-4,\"warmup_steps\":100,\"total_steps\":1000}";
  pace_schedule *lr_schedule = NULL;
  if (pace_schedule_parse(spec, &lr_schedule) != PACE_OK) {
    fprintf(stderr, "bad schedule: %s\n", pace_last_error());
    return 1;
  }
  for (int64_t step = 0; step < 1000; step++) {
    double lr;
    if (pace_schedule_at(lr_schedule, step, &lr) != PACE_OK) {
      fprintf(stderr, "step %lld: %s\n", (long long)step, pace_last_error());
      pace_schedule_free(lr_schedule);
      return 1;
    }
    /* ... forward, backward, optimizer.step(lr) ... */
    if (step % 100 == 0) printf("step %4lld  lr %.6e\n", (long long)step, lr);
  }
  pace_schedule_free(lr_schedule);
  return 0;
}
