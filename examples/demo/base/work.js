// The demo's "application": counts primes below a limit by trial division (CPU-bound, ~50 ms).
const limit = 300_000;
let count = 0;
for (let n = 2; n < limit; n++) {
  let prime = true;
  for (let d = 2; d * d <= n; d++) {
    if (n % d === 0) {
      prime = false;
      break;
    }
  }
  if (prime) count++;
}
console.log(`${count} primes below ${limit}`);
