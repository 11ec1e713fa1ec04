"""SQL the knowledge base's visibility rules need that Django does not write itself."""

from django.db.models import BooleanField, Expression, F, QuerySet, Subquery


class InComputedOnce(Expression):
    """``column IN (subquery)`` for a subquery of a few ids that does not depend on the
    row (a mentor's students, a student's programmes). PostgreSQL plans a plain ``IN``
    inside an ``OR`` as a filter over every row of the table; written ``column =
    ANY(ARRAY(subquery))`` the ids are computed once (an InitPlan) and each side of the
    ``OR`` is an index scan. Plain ``IN`` on other databases."""

    output_field = BooleanField()

    def __init__(self, column: str, ids: QuerySet):
        super().__init__()
        self.column, self.ids = F(column), Subquery(ids.order_by())

    def get_source_expressions(self):
        return [self.column, self.ids]

    def set_source_expressions(self, expressions):
        self.column, self.ids = expressions

    def as_sql(self, compiler, connection, template="%s IN %s"):
        column, column_params = compiler.compile(self.column)
        ids, ids_params = compiler.compile(self.ids)
        return template % (column, ids), (*column_params, *ids_params)

    def as_postgresql(self, compiler, connection):
        return self.as_sql(compiler, connection, template="%s = ANY(ARRAY%s)")
