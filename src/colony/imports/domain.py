from colony.core.domain import Domain
from colony.imports.bank.jobs import RUN_WAITING_IMPORTS
from colony.imports.bank.models import BankImport, ImportMapping, QueuedFile
from colony.imports.bank.router import router as bank_router
from colony.imports.router import router

domain = Domain(name="imports", routers=(router, bank_router),
                models=(BankImport, ImportMapping, QueuedFile), jobs=(RUN_WAITING_IMPORTS,))
