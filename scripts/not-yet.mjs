// Placeholder for root scripts whose issue has not landed yet.
console.log(`pnpm ${process.argv[2]}: not yet available`);
