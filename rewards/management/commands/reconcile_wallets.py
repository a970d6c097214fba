from django.core.management.base import BaseCommand, CommandError

from rewards.services import wallets_reconcile


class Command(BaseCommand):
    help = "Check that every wallet's balance equals the sum of its ledger entries; exit 1 if not."

    def handle(self, *args, **options):
        problems = wallets_reconcile()
        for p in problems:
            self.stderr.write(
                f"wallet {p.wallet_id}: balance {p.balance}, "
                f"ledger {p.ledger_sum}, unspent lots {p.unspent_sum}"
            )
        if problems:
            raise CommandError(f"{len(problems)} wallet(s) do not reconcile")
        self.stdout.write(self.style.SUCCESS("All wallets reconcile."))
