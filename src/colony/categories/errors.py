from colony.core.errors import Conflict, NotFound


class CategoryNotFound(NotFound):
    code = "CATEGORY_NOT_FOUND"
    message = "Category not found"


class CategoryNameExists(Conflict):
    code = "CATEGORY_NAME_EXISTS"
    message = "A category with this name and kind already exists"


class CategoryInUse(Conflict):
    code = "CATEGORY_IN_USE"
    message = "The category is in use; pass ?reassign_to=<id> to move its transactions first"
